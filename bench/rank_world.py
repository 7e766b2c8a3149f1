"""The synthetic world of the ranking benchmark, and a vectorised pandas twin of the same pipeline (map,
group, score, top 100) to compare against, with whole-column operations only: no row-wise apply.

The twin reproduces sql/queue/01-17 on this world: touchpoint rules (first rule wins), sessions per
fingerprint (sql/queue/04-06), each group's window (11), its exposure and observed harm (08, 10, 12:
bench/harm_twin.py, each distinct window measured once as the SQL does), the components (13), the
incident candidates (14-16, bench/incident_twin.py: one queue entry per outage; they move no score, but
every surface shows them, so both sides make them) and the score (17). The world measures conversion only, so harm is conversion read against its own noise at
every level (the stage and each segment): hour-of-day median baselines, MAD spreads with their floors,
a Bonferroni-raised z and the evidence ramp. What does not move a score is left out: the journey
detector's baselines (stage_hourly shows them, no score reads them) and routes and suppression (18-19: they order the
queue, not its scores, and every top-100 group here clears the threshold).
Like ours, it lists the alert ids of the top 100 groups only."""

import fnmatch
import json

import numpy as np
import pandas as pd
from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE

from bench.harm_twin import window_harm
from bench.incident_twin import incident_sizes

STAGES = 8
FINGERPRINTS = 40_000


def build_world(con, n: int, with_frames: bool = False):
    """Creates alerts, stages, touchpoints, segments and journey_metrics tables on `con`."""
    con.execute(f"""
        create or replace table alerts as
        with base as (
            select i, (i // 10) % {FINGERPRINTS} as f from range({n}) t(i)
        )
        select
            'a' || i as alert_id,
            timestamp '2026-10-01' + to_microseconds(cast(i * (30 * 86400e6 / {n}) as bigint)) as fired_at,
            timestamp '2026-10-01' + to_microseconds(cast(i * (30 * 86400e6 / {n}) as bigint) + 300000000)
                as resolved_at,
            case when f % 4 = 0 then 'int-' || (f % 100) else 'svc-' || (f % {STAGES}) || '-' || (f % 37) end
                as service,
            'Alert' || (f % 300) as name,
            ['critical', 'high', 'medium', 'low', 'info'][cast(1 + f % 5 as bigint)] as severity,
            cast(1 + f % 5 as tinyint) as severity_rank,
            null::varchar as severity_raw, 'prometheus' as source, 'fp' || f as fingerprint,
            case when f % 3 = 0 then (f % 100) / 100.0 end as confidence, 'eu-west-1' as region,
            '{{"team":"t' || (f % 20) || '"}}' as labels, null::varchar as message, null::varchar as extra,
            'bench' as upload_id
        from base""")
    con.execute(f"""create or replace table stages as select 'shop' as journey, 's' || i as stage, 'Stage ' || i as name,
        i + 1 as position, 2.0 + i as impact, 0.1 + 0.1 * i as sensitivity, null::varchar as description,
        'bench' as upload_id from range({STAGES}) t(i)""")
    rules = []
    for s in range(STAGES):
        rules.append({"stage": f"s{s}", "match": {"service": f"svc-{s}-1*", "labels.team": "t1*"}})
        rules.append({"stage": f"s{s}", "match": {"service": f"re:^svc-{s}-[0-9]+$"}})
    con.execute("create or replace table touchpoints (journey varchar, position integer, stage varchar, "
                "touchpoint varchar, match varchar, upload_id varchar)")
    con.executemany("insert into touchpoints values ('shop', ?, ?, null, ?, 'bench')",
                    [(i, r["stage"], json.dumps(r["match"])) for i, r in enumerate(rules, 1)])
    con.execute("create or replace table segments as select 'shop' as journey, s as segment, w as weight, "
                "null::varchar as description, 'bench' as upload_id from (values ('free', 1.0), ('pro', 1.5)) t(s, w)")
    con.execute(f"""create or replace table journey_metrics as
        select timestamp '2026-10-01' + to_hours(h) as ts, 's' || s as stage, seg as segment,
            cast(200 + 150 * sin(h / 3.82) + 50 as bigint) as entered,
            -- drops, so that harm (stage-wide and one segment only) reaches the top 100 and is compared
            cast((200 + 150 * sin(h / 3.82) + 50) * (0.7 - 0.01 * s)
                 * case when (h + 11 * s) % 151 < 2 then 0.5 when seg = 'pro' and (h + 7 * s) % 97 < 3 then 0.3
                        else 1 end as bigint) as completed,
            null::double as time_to_value_s, null::double as satisfaction, null::varchar as extra,
            'bench' as upload_id
        from range(720) a(h), range({STAGES}) b(s), (values ('free'), ('pro')) c(seg)""")
    con.execute("create or replace table changes (ts timestamp, service varchar, kind varchar, description varchar, "
                "extra varchar, upload_id varchar)")
    if not with_frames:
        return None
    return {"alerts": con.execute("select * from alerts").df(), "stages": con.execute("select * from stages").df(),
            "rules": rules, "segments": con.execute("select * from segments").df(),
            "metrics": con.execute("select * from journey_metrics").df()}


def matches(series: pd.Series, pattern: str) -> np.ndarray:
    if pattern.startswith("re:"):
        return series.str.contains(pattern[3:], regex=True, na=False).to_numpy()
    return series.str.lower().str.match(fnmatch.translate(pattern.lower()), na=False).to_numpy()


def pandas_pipeline(frames: dict, profile: dict = DEFAULT_PROFILE) -> pd.DataFrame:
    """Map (first rule wins), group (sessions per fingerprint), score, top 100: vectorised pandas."""
    a = frames["alerts"].copy()
    team = a["labels"].str.extract(r'"team":"([^"]*)"')[0]
    masks = []
    for rule in frames["rules"]:
        mask = np.ones(len(a), dtype=bool)
        for key, pattern in rule["match"].items():
            mask &= matches(team if key == "labels.team" else a[key], pattern)
        masks.append(mask)
    a["stage"] = np.select(masks, [r["stage"] for r in frames["rules"]], default=None)
    a = a.sort_values(["fingerprint", "fired_at", "alert_id"])
    end = a["resolved_at"].fillna(a["fired_at"])
    previous_end = end.groupby(a["fingerprint"]).cummax().groupby(a["fingerprint"]).shift()
    gap = pd.Timedelta(minutes=profile["group_gap_minutes"])
    starts = previous_end.isna() | (a["fired_at"] - previous_end > gap)
    a["group"] = starts.cumsum()
    # the columns sql/queue/04-06 also give every group: flap cycles, the ids in order, the first alert's names
    previous_fired = a.groupby("fingerprint")["fired_at"].shift()
    a["flap"] = (~starts & (a["fired_at"] >= previous_end)
                 & (a["fired_at"] - previous_fired <= pd.Timedelta(minutes=profile["flap_window_minutes"])))
    g = a.groupby("group").agg(stage=("stage", "first"), first=("fired_at", "min"), last=("fired_at", "max"),
                               resolved=("resolved_at", "max"), count=("alert_id", "size"),
                               rank=("severity_rank", "min"), confidence=("confidence", "max"),
                               flap_count=("flap", "sum"), service=("service", "first"), name=("name", "first"))
    # each group's window (sql/queue/11); exposure and harm per distinct window (12), as the SQL does
    w = g[g["stage"].notna()][["stage", "first", "last", "resolved"]]
    window_end = np.minimum(np.maximum(w["resolved"].fillna(w["last"] + pd.Timedelta(hours=1)), w["first"]),
                            w["first"] + pd.Timedelta(hours=profile["max_window_hours"]))
    w = pd.DataFrame({"stage": w["stage"], "first_hour": w["first"].dt.floor("h"),
                      "last_hour": (window_end - pd.Timedelta(microseconds=1)).dt.floor("h")})
    w = w[window_end > w["first_hour"]]
    measured = window_harm(w.drop_duplicates(), frames["metrics"], frames["segments"], profile)
    per = w.reset_index().merge(measured, on=["stage", "first_hour", "last_hour"]).set_index("group")
    g = g.join(per[["exposure", "harm", "harm_segment"]])
    # one outage, one candidate (sql/queue/14-16): it moves no score, but the queue shows it
    g["incident_size"] = incident_sizes(g, profile)
    stages = frames["stages"].drop_duplicates("stage").set_index("stage")
    impact = g["stage"].map(stages["impact"]).fillna(profile["unmapped_impact"])
    sensitivity = g["stage"].map(stages["sensitivity"]).fillna(profile["unmapped_sensitivity"])
    minutes = ((g["resolved"].fillna(g["last"]) - g["first"]) / pd.Timedelta(minutes=1)).clip(lower=0)
    c = {"severity": (6 - g["rank"]) / 5.0, "exposure": g["exposure"].fillna(profile["default_exposure"]),
         "confidence": g["confidence"].fillna(profile["default_confidence"]).clip(0, 1),
         "duration": (np.log1p(minutes) / np.log1p(profile["duration_full_min"])).clip(upper=1),
         "recurrence": (np.log(g["count"].clip(lower=1)) / np.log(profile["recurrence_full"])).clip(upper=1)}
    weights = profile["weights"]
    signal = sum(weights[k] * c[k] for k in c) / sum(weights.values())
    harm = g["harm"].fillna(profile["default_harm"])
    corroboration = 1 - profile["corroboration"] + profile["corroboration"] * harm ** profile["harm_exponent"]
    g["score"] = 100 * impact / 10 * (0.5 + 0.5 * sensitivity) * signal * corroboration
    top = g.nlargest(100, "score")
    top.attrs["incident_sizes"] = np.sort(g["incident_size"].to_numpy())
    # the alert ids of the groups shown: the top 100 (our queue_select does the same)
    shown = a[a["group"].isin(top.index)]
    top["alert_ids"] = (shown["alert_id"] + ";").groupby(shown["group"]).sum().str[:-1]
    return top
