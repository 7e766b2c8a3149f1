"""150 days of AI-feature interactions (JSON Lines, OpenTelemetry GenAI names) and their evaluations."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

from journeylens.sample_data.world_common import (
    AI_DAYS,
    AI_START,
    MODEL_CHANGE,
    MODEL_NEW,
    MODEL_OLD,
    MODEL_SHADOW,
    SHADOW_START,
    iso,
    rng,
    write_csv,
    write_jsonl,
)

ITEMS = ["desk lamp", "usb-c dock", "4k monitor", "office chair", "webcam", "standing desk", "headset"]
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay"]
# feature -> stage(s) -> task types -> (prompt, output, edited output) templates
TASKS = {
    "product_search_assistant": {
        "product_lookup": ("{item} under ${n}", "{item}, ${n}", "{item}, in stock"),
        "comparison": ("compare {item}s", "B: longer warranty", "A: cheaper"),
    },
    "checkout_helper": {
        "plan_choice": ("plan for {k} seats?", "Pro, ${n}/seat", "Team, {k} seats"),
        "coupon": ("code SAVE{k}", "SAVE{k}: -10%", "SAVE{k} on annual"),
        "invoice_setup": ("invoice {co} net-60 + PO", "Invoice: net-30", "Invoice: net-60, PO {n}"),
    },
    "support_answer": {
        "how_to": ("invite my team?", "Settings > Members", "Admin > Members"),
        "sso_setup": ("SAML SSO for {co}", "Upload IdP metadata", "SCIM + SAML app"),
        "billing_question": ("charged twice?", "One is a pending hold", "Refunded the dup"),
    },
}
FEATURE_SHARE = [("product_search_assistant", 0.45), ("checkout_helper", 0.25), ("support_answer", 0.30)]
ENTERPRISE_TASKS = {"invoice_setup", "sso_setup"}
OUTCOMES = {"product_search_assistant": ("clicked", "no_click"), "checkout_helper": ("purchased", "abandoned"),
            "support_answer": ("resolved", "ticket_opened")}
BASE_LATENCY = {"product_search_assistant": 650, "checkout_helper": 820, "support_answer": 1100}
BASE_BAD = {"product_search_assistant": 0.10, "checkout_helper": 0.08, "support_answer": 0.13}
WEEKDAY = [1.0, 1.03, 1.02, 1.0, 0.95, 0.78, 0.74]


def _users(r) -> list[tuple[str, str, int, int, float]]:
    users = []
    for i in range(1, 1401):
        x = r.random()
        seg = "free" if x < 0.55 else ("pro" if x < 0.85 else "enterprise")
        first = int(AI_DAYS * r.random() ** 1.4)
        life = r.expovariate(1 / (130 if seg == "enterprise" else 70))
        users.append((f"u{i:04d}", seg, first, first + int(life), math.exp(r.gauss(0, 0.6))))
    return users


def _task(r, feature: str, seg: str) -> tuple[str, str]:
    tasks = list(TASKS[feature])
    weights = [3.0 if (t in ENTERPRISE_TASKS and seg == "enterprise") else 1.0 for t in tasks]
    task = r.choices(tasks, weights)[0]
    if feature == "product_search_assistant":
        return task, "discovery"
    if feature == "checkout_helper":
        return task, "checkout"
    return task, r.choices(["onboarding", "renewal", "signup"], [0.6, 0.25, 0.15])[0]


def _fill(text: str, slots: dict) -> str:
    return text.format(**slots)


def _behave(r, feature: str, seg: str, task: str, model: str, shadow: bool) -> dict:
    """One interaction's hidden quality and what the user did about it."""
    p_bad = BASE_BAD[feature]
    if model == MODEL_NEW:
        p_bad += (0.24 + (0.12 if task in ENTERPRISE_TASKS else 0.0)) if seg == "enterprise" else -0.02
    elif model == MODEL_SHADOW:
        p_bad = p_bad * 0.9 + (0.03 if seg == "enterprise" else 0.0)
    bad = r.random() < p_bad
    q = r.uniform(0.05, 0.45) if bad else r.uniform(0.6, 1.0)
    b = {"q": q, "bad": bad, "accepted": True, "edited": False, "fallback": False, "fallback_reason": None,
         "feedback": "absent", "intent_mismatch": False}
    u = r.random()
    if bad:
        if u < 0.22:
            b.update(fallback=True, accepted=False, fallback_reason=r.choice(["low_confidence", "guardrail_block",
                                                                              "schema_error"]))
        elif u < 0.42:
            b.update(accepted=False, feedback="down" if r.random() < 0.6 else "absent")
        elif u < 0.60:
            b.update(edited=True, feedback="down" if r.random() < 0.3 else "absent")
        elif u < 0.70:
            b.update(intent_mismatch=True, accepted=r.random() < 0.5)
        else:  # silent failure: looks fine, is not
            b.update(feedback="up" if r.random() < 0.15 else "absent")
    else:
        if u < 0.015:
            b.update(fallback=True, accepted=False, fallback_reason=r.choice(["timeout", "rate_limited"]))
        elif u < 0.11:
            b.update(accepted=False)
        elif u < 0.125:
            b.update(intent_mismatch=True)
        else:
            b.update(edited=r.random() < 0.07, feedback=r.choices(["up", "down", "absent"], [0.28, 0.02, 0.7])[0])
    if shadow:  # never shown to the user: nothing to accept, edit or rate
        b.update(accepted=False, edited=False, feedback="absent", intent_mismatch=False)
    return b


def _row(r, iid: str, ts, user: str, seg: str, feature: str, task: str, stage: str, model: str,
         shadow: bool, slots: dict) -> tuple[dict, dict]:
    b = _behave(r, feature, seg, task, model, shadow)
    prompt_t, out_t, edit_t = TASKS[feature][task]
    lat = BASE_LATENCY[feature] * math.exp(r.gauss(0, 0.35)) * (0.93 if model != MODEL_OLD else 1.0)
    if b["fallback_reason"] == "timeout":
        lat = 8000 + r.uniform(0, 2000)
    tin = r.randint(90, 420) + (200 if feature == "support_answer" else 0)
    tout = r.randint(25, 180) - (10 if model != MODEL_OLD else 0)
    completed = b["accepted"] and not b["fallback"] and b["feedback"] != "down" and not b["intent_mismatch"]
    good, poor = OUTCOMES[feature]
    ok = completed and (not b["bad"] or r.random() < 0.4)
    row = {"interaction_id": iid, "ts": iso(ts), "feature": feature, "accepted": b["accepted"], "user_id": user,
           "segment": seg, "task_type": task, "stage": stage, "prompt": _fill(prompt_t, slots),
           "output": "" if b["fallback"] else _fill(out_t, slots), "edited": b["edited"],
           "fallback": b["fallback"], "feedback": b["feedback"],
           "intent_mismatch": b["intent_mismatch"], "latency_ms": int(lat), "gen_ai.request.model": model,
           "gen_ai.usage.input_tokens": tin, "gen_ai.usage.output_tokens": tout,
           "cost_usd": round(tin * 0.15e-6 + tout * 0.6e-6, 6),
           "outcome": "shadow" if shadow else (good if ok else poor), "shadow": shadow}
    if row["feedback"] == "absent":  # optional fields appear only when they have a value
        del row["feedback"]
    if b["fallback"]:
        row["fallback_reason"] = b["fallback_reason"]
    if b["edited"]:
        row["edited_output"] = _fill(edit_t, slots)
    return row, b


def interactions() -> tuple[list[dict], dict[str, dict]]:
    """Rows in time order (a shadow row right after its production twin) and each row's hidden state."""
    r = rng(3)
    users = _users(r)
    rows: list[dict] = []
    hidden: dict[str, dict] = {}
    n = 0
    for d in range(AI_DAYS):
        day = AI_START + timedelta(days=d)
        active = [u for u in users if u[2] <= d <= u[3]] or users[:5]
        count = round(67.5 * WEEKDAY[day.weekday()] * (0.9 + 0.35 * d / AI_DAYS))
        stamps = sorted(int(86400 * min(0.9999, max(0.0, r.gauss(0.55, 0.2)))) for _ in range(count))
        for sec in stamps:
            ts = day + timedelta(seconds=sec)
            user, seg, *_ = r.choices(active, [u[4] for u in active])[0]
            feature = r.choices([f for f, _ in FEATURE_SHARE], [w for _, w in FEATURE_SHARE])[0]
            task, stage = _task(r, feature, seg)
            slots = {"item": r.choice(ITEMS), "n": r.randint(2, 60) * 10, "k": r.randint(2, 40),
                     "co": r.choice(COMPANIES)}
            n += 1
            iid = f"ai-{n:05d}"
            model = MODEL_OLD if ts < MODEL_CHANGE else MODEL_NEW
            row, b = _row(r, iid, ts, user, seg, feature, task, stage, model, False, slots)
            rows.append(row)
            hidden[iid] = {**b, "seg": seg, "task": task, "model": model}
            if ts >= SHADOW_START and r.random() < 0.25:
                sid = f"{iid}-sh"
                srow, sb = _row(r, sid, ts, user, seg, feature, task, stage, MODEL_SHADOW, True, slots)
                srow["shadow_of"] = iid
                rows.append(srow)
                hidden[sid] = {**sb, "seg": seg, "task": task, "model": MODEL_SHADOW}
    return rows, hidden


TC_EXPL = {"pass": ["", "", "", "complete"],
           "fail": ["did not complete the task", "wrong terms or amount", "ignored a constraint"]}


def _clamp(x: float) -> float:
    return round(min(1.0, max(0.0, x)), 3)


def scores(rows: list[dict], hidden: dict[str, dict]) -> list[list[object]]:
    r = rng(4)
    out: list[list[object]] = []
    judged: list[str] = []
    for row in rows:
        iid = row["interaction_id"]
        h = hidden[iid]
        if not (row["shadow"] or r.random() < 0.33):
            continue
        lenient = h["bad"] and h["seg"] == "enterprise" and h["task"] in ENTERPRISE_TASKS and r.random() < 0.5
        tc = _clamp(h["q"] + (0.4 if lenient else 0.0) + r.gauss(0, 0.07))
        rel = _clamp(0.3 + 0.7 * h["q"] + r.gauss(0, 0.06))
        unsafe = r.random() < 0.004
        saf = _clamp(r.uniform(0.1, 0.4) if unsafe else r.uniform(0.93, 1.0))
        tcl = "pass" if tc >= 0.5 else "fail"
        rell = "relevant" if rel >= 0.7 else ("partial" if rel >= 0.4 else "irrelevant")
        out.append([iid, "task_completion", f"{tc:.2f}", tcl, "llm", r.choice(TC_EXPL[tcl])])
        out.append([iid, "relevance", f"{rel:.2f}", rell, "llm", ""])
        out.append([iid, "safety", f"{saf:.2f}", "unsafe" if unsafe else "safe", "llm",
                    "mentions internal tooling" if unsafe else ""])
        if not row["shadow"]:
            judged.append(iid)
    # humans review a few hundred of the judged production interactions, leaning to enterprise
    pool = sorted(judged, key=lambda i: (hidden[i]["seg"] != "enterprise", r.random()))
    for iid in sorted(pool[:180] + r.sample(pool[180:], 170)):
        h = hidden[iid]
        v = min(1.0, max(0.0, round((h["q"] + r.gauss(0, 0.06)) * 4) / 4))
        out.append([iid, "task_completion", f"{v:.2f}", "pass" if v >= 0.5 else "fail", "human",
                    "reviewer: does what was asked" if v >= 0.5 else "reviewer: wrong result"])
        if r.random() < 0.4:
            rv = min(1.0, max(0.0, round((0.3 + 0.7 * h["q"]) * 4) / 4))
            out.append([iid, "relevance", f"{rv:.2f}", "relevant" if rv >= 0.7 else "partial", "human", ""])
    return out


def generate_ai(out: Path) -> None:
    rows, hidden = interactions()
    # two files, split at the start of October, as two monthly exports would arrive (and each stays small)
    write_jsonl(out / "ai_interactions_2026h2a.jsonl", [row for row in rows if row["ts"] < "2026-10-01"])
    write_jsonl(out / "ai_interactions_2026h2b.jsonl", [row for row in rows if row["ts"] >= "2026-10-01"])
    write_csv(out / "eval_scores.csv", ["interaction_id", "name", "value", "label", "source", "explanation"],
              scores(rows, hidden))
