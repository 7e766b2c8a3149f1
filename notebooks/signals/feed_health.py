import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    from datetime import UTC, datetime

    import pandas as pd
    from journeylens.notebooks.workspace.picker import require_workspace, workspace_picker
    from journeylens.notebooks.workspace.snapshot import close_snapshot, connect, sql_text

    # Every knob of feed health, with its default (README "Feed health"); a weight profile holds each as
    # feed_<knob> (queue/profile_defaults.py), so a team's choice is versioned with its profile
    FEED_HEALTH = {
        "coverage": 0.9,  # a feed's cadence: the shortest period in which this share of periods hold a row
        "min_buckets": 8,  # ... over at least this many periods; a sparser feed has no cadence, no expectations
        "gap_periods": 3,  # a hole: at least this many expected periods without a row, inside the feed
        "stale_periods": 3,  # stale: no row for at least this many expected periods up to the latest data
        "history_days": 28,  # a day's volume against the median of this many days before it
        "min_history": 7,  # ... and of at least this many (whole) days
        "z_min": 4.0,  # a volume change: at least this many robust spreads away from both baselines
        "min_ratio": 2.0,  # ... and at least this many times more or fewer rows
        "min_change": 20,  # ... and by at least this many rows (a thin feed's burst is an incident, not a feed)
        "drift_min_rows": 20,  # an upload with fewer rows is too small to speak for its feed's schema
    }
    PERIOD_WORDS = {300: "5-minute period", 900: "15-minute period", 3600: "hour", 21600: "6-hour period",
                    86400: "day", 604800: "week"}
    PROBLEM_COLUMNS = ["check", "feed", "at", "text"]
    CHECK_ORDER = {"stale": 0, "gap": 1, "volume": 2, "schema": 3}


@app.function
def feed_params(params: dict | None = None) -> dict:
    """FEED_HEALTH with `params` laid over it key by key: its own names, or a weight profile's feed_<knob>."""
    given = {(k[len("feed_"):] if k.startswith("feed_") else k): v for k, v in (params or {}).items()}
    return {**FEED_HEALTH, **{k: v for k, v in given.items() if k in FEED_HEALTH}}


@app.function
def feed_tables(con, params: dict | None = None) -> None:
    """Temp tables feed_rows (every time-stamped row with its feed), feed_cadence (each feed's learned
    period) and feed_fields (what each upload carries) on a snapshot (sql/signals/02, 03, 07)."""
    p = feed_params(params)
    con.execute(f"create or replace temp table feed_rows as {sql_text('feed_rows')}")
    con.execute(f"create or replace temp table feed_cadence as {sql_text('feed_cadence')}",
                {"coverage": float(p["coverage"]), "min_buckets": int(p["min_buckets"])})
    con.execute(f"create or replace temp table feed_fields as {sql_text('feed_fields')}")


@app.function
def periods_text(count: int, period_s: int) -> str:
    """'3 expected hours', '1 expected day'."""
    word = PERIOD_WORDS.get(int(period_s), f"{int(period_s)}-second period")
    return f"{int(count):,} expected {word}{'' if int(count) == 1 else 's'}"


@app.function
def when_text(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


@app.function
def on_parts(parts) -> str:
    return f" on {parts}" if isinstance(parts, str) and parts else ""


@app.function
def naive_utc(value) -> pd.Timestamp:
    """A timestamp in UTC without its offset, as the stored data's."""
    stamp = pd.Timestamp(value)
    return stamp.tz_convert(None) if stamp.tzinfo is not None else stamp


@app.function
def drift_lines(drift: pd.DataFrame) -> list:
    """One problem per upload that changed its feed's schema: its new and vanished fields, by kind of field."""
    out = []
    for (kind, layout, _upload, file_name, stored, previous), rows in drift.groupby(
            ["kind", "layout", "upload_id", "file_name", "stored_at", "previous_file"], sort=True, dropna=False):
        said = []
        for (change, field), values in rows.groupby(["change", "field"], sort=True):
            names = ", ".join(sorted(values["value"].astype(str)))
            said.append(f"{change} {field}{'s' if len(values) > 1 else ''} {names}")
        feed = kind if layout == "columns" else f"{kind} ({layout})"
        since = f" against {previous}" if isinstance(previous, str) and previous else ""
        out.append({"check": "schema", "feed": feed, "at": naive_utc(stored),
                    "text": f"{feed}: {'; '.join(said)} in {file_name}{since}"})
    return out


@app.function
def explained_by_gap(gaps: pd.DataFrame, feed: str, day) -> bool:
    """Whether a gap of `feed` overlaps the day starting at `day`."""
    start = pd.Timestamp(day)
    mine = gaps[gaps["feed"].eq(feed)]
    return bool(((mine["missing_from"] < start + pd.Timedelta(days=1)) & (mine["missing_until"] > start)).any())


@app.function
def feed_problems(con, params: dict | None = None, now: datetime | None = None) -> pd.DataFrame:
    """Every feed problem of a snapshot, one row each (PROBLEM_COLUMNS), stale feeds first, then newest first:
    gaps (a run of >= gap_periods of the feed's own expected periods without a row), staleness (no row for
    >= stale_periods periods up to the latest data, or the wall clock `now` for a live feed), volume changes
    (robust z = (rows - median) / max(1.4826 MAD, sqrt(median), 1) >= z_min and a ratio >= min_ratio against
    the last history_days and the same weekday, by >= min_change rows) and schema drift between uploads of one kind and layout."""
    p = feed_params(params)
    feed_tables(con, p)
    now = naive_utc(now or datetime.now(UTC))
    rows = []
    gaps = con.execute(sql_text("feed_gaps"), {"gap_periods": int(p["gap_periods"])}).df()
    for g in gaps.itertuples(index=False):
        rows.append({"check": "gap", "feed": g.feed, "at": g.missing_from,
                     "text": f"{g.feed}: no data for {periods_text(g.missing_periods, g.period_s)}{on_parts(g.parts)} "
                             f"({when_text(g.missing_from)} to {when_text(g.missing_until)} UTC)"})
    stale = con.execute(sql_text("feed_staleness"), {"stale_periods": int(p["stale_periods"]), "now": now}).df()
    for s in stale.itertuples(index=False):
        rows.append({"check": "stale", "feed": s.feed, "at": s.last_at,
                     "text": f"{s.feed}: no data for {periods_text(s.missing_periods, s.period_s)}{on_parts(s.parts)} "
                             f"(last {when_text(s.last_at)} UTC, measured to {when_text(s.measured_to)} UTC)"})
    volume = con.execute(sql_text("feed_volume"), {
        "history_days": int(p["history_days"]), "min_history": int(p["min_history"]), "z_min": float(p["z_min"]),
        "min_ratio": float(p["min_ratio"]), "min_change": int(p["min_change"])}).df()
    for v in volume.itertuples(index=False):
        direction = "jump" if v.rows > v.baseline else "drop"
        if direction == "drop" and explained_by_gap(gaps, v.feed, v.day):
            continue  # the gap already says why the day is short
        rows.append({"check": "volume", "feed": v.feed, "at": v.day,
                     "text": f"{v.feed}: volume {direction} on {v.day:%Y-%m-%d}, {v.rows:,} rows against a usual "
                             f"{v.baseline:,.0f} a day ({v.ratio:.1f}x)"})
    drift = con.execute(sql_text("feed_drift"), {"min_rows": int(p["drift_min_rows"])}).df()
    rows.extend(drift_lines(drift))
    found = pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
    if found.empty:
        return found
    found["at"] = pd.to_datetime(found["at"])
    order = found["check"].map(CHECK_ORDER)
    return (found.assign(order=order).sort_values(["order", "at", "feed"], ascending=[True, False, True], kind="stable")
            .drop(columns="order").reset_index(drop=True))


@app.function
def workspace_feed_problems(workspace, params: dict | None = None, now: datetime | None = None) -> pd.DataFrame:
    """feed_problems on a fresh snapshot of `workspace`."""
    con = connect(workspace)
    try:
        return feed_problems(con, params, now)
    finally:
        close_snapshot(con)


@app.function
def feed_cadences(con) -> pd.DataFrame:
    """Each watched feed (and part), its rows, span and learned period (after feed_tables)."""
    return con.execute("select feed, part, live, rows, first_at, last_at, period_s, coverage from feed_cadence "
                       "order by feed, part").df()


@app.function
def feed_summary(problems: pd.DataFrame) -> str:
    """One sentence: all good, or how many problems of which checks."""
    if problems.empty:
        return "Every feed looks healthy: no gaps, stale feeds, volume jumps or schema changes."
    counts = problems["check"].value_counts()
    words = {"stale": "stale", "gap": "gap", "volume": "volume change", "schema": "schema change"}
    parts = [f"{counts[c]} {words[c]}{'' if counts[c] == 1 else 's'}" for c in CHECK_ORDER if c in counts]
    return f"{len(problems)} feed problem{'' if len(problems) == 1 else 's'}: {', '.join(parts)}."


@app.function
def feed_health_section(problems: pd.DataFrame, since=None, until=None) -> tuple:
    """(heading, intro, columns, rows) of the retro's feed health: problems in [since, until) when given
    (stale feeds and schema drift always: they describe the feeds as they are now)."""
    shown = problems
    if since is not None and len(problems):
        at = pd.to_datetime(problems["at"])
        inside = (at >= pd.Timestamp(since)) & (at < pd.Timestamp(until)) if until is not None else at >= since
        shown = problems[inside | problems["check"].isin(["stale", "schema"])]
    return ("Feed health", "A silent feed makes a quiet queue look healthy. Gaps, stale feeds, volume changes and "
            "schema drift of every uploaded feed. " + feed_summary(shown), ["check", "feed", "problem"],
            [[r["check"], r["feed"], r["text"]] for r in shown.to_dict("records")])


@app.function
def feed_health_retro(workspace, since=None, until=None, params: dict | None = None) -> tuple:
    """The retro's "Feed health" section of `workspace` for the week [since, until) (all data when None),
    under `params` (a weight profile)."""
    return feed_health_section(workspace_feed_problems(workspace, params), since, until)


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        r"""
        # Feed health

        Every uploaded feed (each kind, and within alerts each tool) is watched, so that a silent feed is not
        read as a quiet queue. Each feed's **cadence** is learned from itself: the shortest period (5 min,
        15 min, hour, 6 h, day, week) in which at least 90% of periods hold a row. Then:

        - a **gap** is a run of at least 3 expected periods without a row inside the feed (per stage for journey metrics);
        - a feed is **stale** with no row for at least 3 expected periods up to the workspace's latest data (the wall clock for a live feed);
        - a **volume change** is a day with $|z| \ge 4$, $z = (\text{rows} - \text{median}) / \max(1.4826\,\text{MAD}, \sqrt{\text{median}}, 1)$, over the 28 days before and the same weekday, at least 2× and 20 rows away;
        - **schema drift** is a column, label key or categorical value (stage, segment, feature, change kind) new in an upload or vanished since the previous upload of the same kind and layout.
        """
    )
    return (mo,)


@app.cell
def _(mo):
    workspace_path = workspace_picker(mo)
    workspace_path
    return (workspace_path,)


@app.cell
def _(mo, workspace_path):
    con = connect(require_workspace(mo, workspace_path.value))
    problems = feed_problems(con)
    cadences = feed_cadences(con)
    mo.stop(cadences.empty, mo.callout(mo.md("This workspace has no time-stamped feed yet."), kind="info"))
    checks = mo.ui.multiselect(list(CHECK_ORDER), value=list(CHECK_ORDER), label="Checks")
    checks
    return cadences, checks, con, problems


@app.cell
def _(cadences, checks, con, mo, problems):
    import altair as alt

    daily = con.execute("select feed, date_trunc('day', seen_at) as day, count(*) as rows from feed_rows "
                        "group by all order by feed, day").df()
    chart = alt.Chart(daily).mark_line(point=True).encode(
        x=alt.X("day:T", title="Day (UTC)"), y=alt.Y("rows:Q", title="Rows a day"),
        color=alt.Color("feed:N", title="Feed"), tooltip=["feed", "day", "rows"],
    ).properties(title="Rows a day, per feed", width=680)
    picked = problems[problems["check"].isin(checks.value)]
    mo.vstack([
        mo.md(f"**{feed_summary(picked)}**"),
        mo.ui.table(picked, selection=None),
        chart,
        mo.md("**Each feed's learned cadence** (period in seconds; empty: too sparse to expect anything)"),
        mo.ui.table(cadences, selection=None),
    ])
    return


if __name__ == "__main__":
    app.run()
