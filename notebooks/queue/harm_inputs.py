"""The two small tables harm is read with (sql/queue/10_metric_hourly.sql, 12_group_journey_impact.sql).

- harm_metric_settings: which continuous journey metrics can show harm, in which direction, and what
  relative change counts fully. Time to value and satisfaction are built in; a team adds its own metric
  (a column of its export, kept in `extra`) through the profile's `harm_metrics`.
- harm_z_table: the z a reading must clear, raised for the number of readings a stage offers (levels x
  metrics). Each reading is a test; with twelve of them, one passes a 99% bound by chance about one window
  in nine. Bonferroni keeps the chance of any false reading per window at the profile's level."""

from scipy.stats import norm

BUILT_IN_METRICS = (  # (metric, worse, the profile setting holding its full change)
    ("conversion", "down", "harm_full_drop"),
    ("time_to_value_s", "up", "ttv_full_rise"),
    ("satisfaction", "down", "satisfaction_full_drop"),
)
MAX_TESTS = 512  # a stage with more readings than this uses this many's z (it only rises slowly)


def harm_metric_rows(p: dict) -> list[tuple]:
    """(metric, worse, full_change, value_path, sd_path) of every metric harm reads, from the resolved
    profile `p`: the built-in ones, then the profile's harm_metrics in order (a name given twice counts once)."""
    rows, seen = [], set()
    entries = [{"metric": m, "worse": w, "full": p[key]} for m, w, key in BUILT_IN_METRICS]
    for entry in entries + list(p.get("harm_metrics") or []):
        metric = str(entry["metric"])
        if metric in seen:
            continue
        seen.add(metric)
        rows.append((metric, str(entry["worse"]), float(entry["full"]), json_path(metric),
                     json_path(f"{metric}_sd")))
    return rows


def json_path(key: str) -> str:
    """A JSON path naming one top-level key, quoted (profile_checks allows no quote or backslash in it)."""
    return '$."' + key + '"'


def create_harm_tables(con, p: dict) -> None:
    """Leaves harm_metric_settings and harm_z_table on `con` for the resolved profile `p`."""
    con.execute("create or replace temp table harm_metric_settings (metric varchar, worse varchar, "
                "full_change double, value_path varchar, sd_path varchar)")
    con.executemany("insert into harm_metric_settings values (?, ?, ?, ?, ?)", harm_metric_rows(p))
    alpha = float(norm.sf(float(p["harm_z"])))
    con.execute("create or replace temp table harm_z_table (tests integer, z double)")
    con.executemany("insert into harm_z_table values (?, ?)",
                    [(n, float(norm.isf(alpha / n)) if alpha > 0 else float(p["harm_z"]))
                     for n in range(1, MAX_TESTS + 1)])
