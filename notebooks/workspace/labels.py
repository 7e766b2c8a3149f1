"""Names for people: a frame keeps its snake_case columns (the CLI, the CSVs and the notebooks use them), and
what a page shows goes through here: `time_to_value_s` -> 'Time to value (s)', `mttr_min` -> 'MTTR (min)',
'1 alerts' -> '1 alert'. In the lowest room so that every room and the app can use it."""

import json

# names whose words alone would read wrong (a unit, an abbreviation, a metric with its own name)
KNOWN = {
    "conversion": "Conversion", "time_to_value_s": "Time to value (s)", "satisfaction": "Satisfaction",
    "z_min": "Minimum deviation (SD)", "peak_z": "Peak deviation (SD)", "sha256": "SHA-256",
    "upload_id": "Upload", "file_name": "File", "stored_at": "Stored at (UTC)", "stored_by": "Stored by",
    "at": "When (UTC)", "who": "Who", "what": "What", "why": "Why", "stage/metric": "Stage and metric",
    "hours_below_10pct": "Hours more than 10% below", "deepest_drop_hours": "Deepest drop lasted (h)",
}
UNITS = {"s": "s", "ms": "ms", "min": "min", "h": "h", "usd": "$", "pct": "%", "d": "days"}
ACRONYMS = {"mtta": "MTTA", "mttr": "MTTR", "ai": "AI", "slo": "SLO", "id": "ID", "ids": "IDs", "p50": "p50",
            "p95": "p95", "p99": "p99", "url": "URL", "csv": "CSV", "json": "JSON", "roi": "ROI"}


def human(name) -> str:
    """A snake_case name in words with its unit: 'mttr_min' -> 'MTTR (min)', 'noise_reduction' -> 'Noise
    reduction'; a name with no underscore and a capital is taken as already human."""
    name = str(name)
    if name in KNOWN:
        return KNOWN[name]
    if "_" not in name and name != name.lower():
        return name
    words = [w for w in name.split("_") if w]
    unit = UNITS[words.pop()] if len(words) > 1 and words[-1] in UNITS else None
    text = " ".join(ACRONYMS.get(w, w) for w in words) or name
    text = text[0].upper() + text[1:]
    return f"{text} ({unit})" if unit else text


def metric_words(name) -> str:
    """A metric inside a sentence: 'time_to_value_s' -> 'time to value (s)', 'conversion' -> 'conversion'."""
    text = human(name)
    return text if text[:2].isupper() else text[0].lower() + text[1:]


def column_labels(columns, **overrides) -> dict:
    """{column: human header} for st.dataframe's column_config; `overrides` win."""
    return {c: overrides.get(c, human(c)) for c in columns}


def plural(count, word: str, many: str | None = None) -> str:
    """'1 alert', '2 alerts', '1,204 queue entries' (plural(n, 'queue entry', 'queue entries'))."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def record_text(value) -> str:
    """An audit record's JSON details in words ('file name: changes.csv · rows: 74'), long hashes cut to 12
    characters; anything that is not a JSON object is returned as it is ('' for None)."""
    if value is None:
        return ""
    try:
        found = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return str(value)
    if not isinstance(found, dict):
        return str(value)
    parts = []
    for key, item in found.items():
        if item is None or item == "":
            continue
        if isinstance(item, (dict, list)):
            item = json.dumps(item)
        elif isinstance(item, str) and len(item) == 64 and all(c in "0123456789abcdef" for c in item):
            item = item[:12] + "…"
        parts.append(f"{metric_words(key)}: {item}")
    return " · ".join(parts)
