"""notebooks/ai/outcomes.py and sql/ai/01_ai_metrics.sql: SPEC §4.2, checked against a plain-Python reading
of the definitions on random interaction logs. A sixth of the interactions carry no user signal (telemetry:
`accepted` unknown), and `edited`, `fallback`, `feedback` and `intent_mismatch` are unknown on others: each
rate counts only the rows whose inputs are known."""

import math
import random
from datetime import datetime, timedelta

import numpy as np
import pytest
from journeylens.notebooks.ai.outcomes import AI_METRIC_COLUMNS, ai_metrics, ai_weights
from journeylens.notebooks.workspace.snapshot import new_connection

T0 = datetime(2026, 1, 1)


def random_world(seed: int, n: int = 400):
    rng = random.Random(seed)
    interactions, scores = [], []
    for i in range(n):
        pick = lambda *options: rng.choice(options)  # noqa: E731
        row = {
            "interaction_id": f"i{i}", "ts": T0 + timedelta(days=rng.uniform(0, 200)),
            "feature": pick("search", "support"),
            "accepted": None if rng.random() < 1 / 6 else rng.random() < 0.8,
            "user_id": pick(*[f"u{k}" for k in range(40)], None), "segment": pick("free", "pro", None),
            "edited": pick(True, False, None), "fallback": pick(True, False, False, None),
            "feedback": pick("up", "down", None, None), "intent_mismatch": pick(True, False, False, False, None),
            "latency_ms": pick(None, *[rng.uniform(100, 3000) for _ in range(5)]),
            "cost_usd": pick(None, rng.uniform(0, 0.01), rng.uniform(0, 0.01)), "shadow": rng.random() < 0.15,
        }
        interactions.append(row)
        for name in ("task_completion", "relevance", "safety"):
            for source in ("llm", "human", "code"):
                if rng.random() < {"llm": 0.6, "human": 0.2, "code": 0.1}[source]:
                    scores.append((row["interaction_id"], name, pick(None, rng.random(), rng.random()), source))
    return interactions, scores


def load(interactions, scores):
    con = new_connection()
    con.execute("create table ai_interactions (interaction_id varchar, ts timestamp, feature varchar, accepted boolean,"
                " user_id varchar, segment varchar, edited boolean, fallback boolean, feedback varchar,"
                " intent_mismatch boolean, latency_ms double, cost_usd double, shadow boolean)")
    con.executemany("insert into ai_interactions values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [tuple(r.values()) for r in interactions])
    con.execute("alter table ai_interactions add column fallback_reason varchar")
    con.execute("alter table ai_interactions add column outcome varchar")
    con.execute("create table eval_scores (interaction_id varchar, name varchar, value double, source varchar)")
    if scores:
        con.executemany("insert into eval_scores values (?, ?, ?, ?)", scores)
    return con


def reference(interactions, scores, weights=(0.5, 0.3, 0.2)) -> dict:
    """SPEC §4.2 read literally, one interaction at a time."""
    production = [r for r in interactions if not r["shadow"]]
    latest = max(r["ts"] for r in production)
    best = {}
    for iid, name, value, source in scores:
        if value is None:
            continue
        rank = {"human": 1, "llm": 2, "code": 3}[source]
        current = best.get((iid, name))
        if current is None or rank < current[0]:
            best[(iid, name)] = (rank, [value])
        elif rank == current[0]:
            current[1].append(value)
    evaluation = {k: sum(v) / len(v) for k, (_, v) in best.items()}

    def ratio(a, b):
        return a / b if b else None

    def metrics(rows):
        def completed(r):
            # an unknown fallback, feedback or intent_mismatch does not count against completion
            return (r["accepted"] is True and r["fallback"] is not True and r["feedback"] != "down"
                    and r["intent_mismatch"] is not True)

        def rate(flag):  # flag / interactions whose flag is known
            known = [r[flag] for r in rows if r[flag] is not None]
            return ratio(sum(known), len(known))

        signal = [r for r in rows if r["accepted"] is not None]
        done = [r for r in rows if completed(r)]
        tc = [evaluation.get((r["interaction_id"], "task_completion")) for r in done]
        tc = [v for v in tc if v is not None]
        full = [[evaluation.get((r["interaction_id"], m)) for m in ("task_completion", "relevance", "safety")]
                for r in rows]
        full = [sum(w * v for w, v in zip(weights, e, strict=True)) for e in full if None not in e]
        costs = [r["cost_usd"] for r in rows if r["cost_usd"] is not None]
        latency = [r["latency_ms"] for r in rows if r["latency_ms"] is not None]
        firsts = {}
        for r in rows:
            if r["user_id"] is not None:
                first, last = firsts.get(r["user_id"], (r["ts"], r["ts"]))
                firsts[r["user_id"]] = (min(first, r["ts"]), max(last, r["ts"]))
        eligible = [(f, last) for f, last in firsts.values() if f <= latest - timedelta(days=90)]
        return {
            "interactions": len(rows), "with_user_signal": len(signal), "acceptance_rate": rate("accepted"),
            "edit_rate": rate("edited"), "fallback_rate": rate("fallback"),
            "task_completion_rate": ratio(len(done), len(signal)),
            "silent_failure_rate": ratio(sum(v < 0.5 for v in tc), len(tc)),
            "weighted_score": ratio(sum(full), len(full)),
            "cost_per_success": ratio(sum(costs), len(done)) if costs else None,
            "p95_latency_ms": float(np.percentile(latency, 95)) if latency else None,
            "retention_90d": ratio(sum(last >= f + timedelta(days=90) for f, last in eligible), len(eligible)),
        }

    out = {("all", "all"): metrics(production)}
    for feature in {r["feature"] for r in production}:
        rows = [r for r in production if r["feature"] == feature]
        out[(feature, "all")] = metrics(rows)
        for segment in {r["segment"] for r in rows if r["segment"] is not None}:
            out[(feature, segment)] = metrics([r for r in rows if r["segment"] == segment])
    return out


@pytest.mark.parametrize("seed", range(5))
def test_every_metric_matches_the_spec_read_literally(seed):
    interactions, scores = random_world(seed)
    frame = ai_metrics(load(interactions, scores))
    expected = reference(interactions, scores)
    assert tuple(frame.columns) == AI_METRIC_COLUMNS
    assert set(zip(frame["feature"], frame["segment"], strict=True)) == set(expected)
    for row in frame.to_dict("records"):
        want = expected[(row["feature"], row["segment"])]
        for metric, value in want.items():
            got = row[metric]
            if value is None:
                assert got is None or (isinstance(got, float) and math.isnan(got)), (metric, row)
            else:
                assert got == pytest.approx(value, rel=1e-9), (metric, row["feature"], row["segment"])


def test_empty_denominators_are_empty_not_zero():
    interactions = [{"interaction_id": "a", "ts": T0, "feature": "f", "accepted": False, "user_id": None,
                     "segment": "free", "edited": None, "fallback": None, "feedback": None, "intent_mismatch": None,
                     "latency_ms": None, "cost_usd": 0.01, "shadow": False}]
    row = ai_metrics(load(interactions, [])).iloc[0]
    assert row["task_completion_rate"] == 0.0 and row["with_user_signal"] == 1
    for metric in ("edit_rate", "fallback_rate", "silent_failure_rate", "weighted_score", "cost_per_success",
                   "p95_latency_ms", "retention_90d"):
        assert math.isnan(row[metric]), metric


def test_telemetry_without_user_signals_has_empty_rates_not_zero():
    """Spans carry no accepted/edited/fallback/feedback: they count as interactions, cost and latency, and
    every user-signal rate of a slice made only of them is empty (SPEC §4.2: the denominator is zero)."""
    def span(iid, feature, accepted, latency, cost):  # the columns in load()'s order
        return {"interaction_id": iid, "ts": T0, "feature": feature, "accepted": accepted, "user_id": None,
                "segment": None, "edited": None, "fallback": None, "feedback": None, "intent_mismatch": None,
                "latency_ms": latency, "cost_usd": cost, "shadow": False}

    interactions = [span("span-1", "chat", None, 100.0, 0.5), span("span-2", "chat", None, 300.0, 0.25),
                    span("app-1", "search", True, None, 1.0)]
    # a judge score alone does not make an interaction completed: completed is the user signals' (SPEC §4.2)
    frame = ai_metrics(load(interactions, [("span-1", "task_completion", 1.0, "llm")]))
    rows = {r["feature"]: r for r in frame.to_dict("records")}
    chat, search, overall = rows["chat"], rows["search"], rows["all"]
    assert (chat["interactions"], chat["with_user_signal"], chat["completed"]) == (2, 0, 0)
    for metric in ("acceptance_rate", "edit_rate", "fallback_rate", "task_completion_rate", "cost_per_success"):
        assert math.isnan(chat[metric]), metric
    assert chat["p95_latency_ms"] == pytest.approx(290.0) and chat["cost_usd"] == pytest.approx(0.75)
    assert (search["with_user_signal"], search["task_completion_rate"], search["acceptance_rate"]) == (1, 1.0, 1.0)
    assert (overall["interactions"], overall["with_user_signal"], overall["task_completion_rate"]) == (3, 1, 1.0)
    # cost_per_success: all production cost over the completed ones (SPEC §4.2 reads "sum of cost_usd")
    assert overall["cost_per_success"] == pytest.approx(1.75)


def test_weights_come_from_the_profile_and_are_checked():
    assert ai_weights({"safety": 0.5}) == pytest.approx({"task_completion": 0.5 / 1.3, "relevance": 0.3 / 1.3,
                                                         "safety": 0.5 / 1.3})
    with pytest.raises(ValueError):
        ai_weights({"helpfulness": 1})


def test_rolling_windows_are_ratios_of_sums():
    from journeylens.notebooks.ai.outcomes import ai_daily

    rows = []
    for day in range(10):
        for k in range(10 if day < 5 else 2):  # busy days then quiet ones
            rows.append({"interaction_id": f"d{day}-{k}", "ts": T0 + timedelta(days=day, hours=k),
                         "feature": "f", "accepted": day < 5, "user_id": None, "segment": "s", "edited": None,
                         "fallback": None, "feedback": None, "intent_mismatch": None, "latency_ms": None,
                         "cost_usd": None, "shadow": False})
    # three spans without a user signal on day 9: they count as interactions, not against completion
    rows += [{**rows[-1], "interaction_id": f"span-{k}", "accepted": None} for k in range(3)]
    daily = ai_daily(load(rows, []))
    last = daily[(daily["segment"] == "s")].iloc[-1]  # day 9: days 3..9 in the week
    assert (last["interactions_7d"], last["with_user_signal_7d"]) == (10 + 10 + 5 * 2 + 3, 10 + 10 + 5 * 2)
    assert last["task_completion_7d"] == pytest.approx(20 / 30)
    assert set(daily["segment"]) == {"s", "all"}


def test_views_two_by_two_and_cohorts_add_up():
    from journeylens.notebooks.ai.outcomes import ai_views, retention_cohorts

    interactions, scores = random_world(3)
    con = load(interactions, scores)
    views = ai_views(con, outcome_values={"none": 1.0})
    overall = views[views["feature"] == "all"].iloc[0]
    cells = ["judge_pass_user_completed", "judge_fail_user_completed", "judge_pass_user_not_completed",
             "judge_fail_user_not_completed"]
    expected = reference(interactions, scores)[("all", "all")]
    assert overall["task_completion_rate"] == pytest.approx(expected["task_completion_rate"])
    assert overall[cells[1]] / (overall[cells[0]] + overall[cells[1]]) == pytest.approx(expected["silent_failure_rate"])
    assert overall["calls"] == expected["interactions"] and overall["availability"] == 1.0
    cohorts = retention_cohorts(con)
    users = {r["user_id"] for r in interactions if not r["shadow"] and r["user_id"] is not None}
    assert cohorts["users"].sum() == len(users)
