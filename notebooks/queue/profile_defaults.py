"""The built-in weight profile: every knob the score, the suppression and the AI views use (scoring.py
resolves a saved profile against it)."""

# Every number the score uses. A weight profile is a copy of this with some values changed; values
# it does not name fall back to these, so old profiles keep working when a knob is added.
DEFAULT_PROFILE = {
    "weights": {  # the signal: a weighted mean of what the alert itself says
        "severity": 0.30,  # how bad the tool says it is
        "exposure": 0.30,  # how many customers were at that stage then
        "confidence": 0.15,  # the AIOps tool's own confidence
        "duration": 0.15,
        "recurrence": 0.10,
    },
    # Observed harm multiplies: an alert whose stage visibly got worse keeps its full signal, one
    # whose stage was measured and fine keeps 1 - corroboration of it. Impact is the team's prior,
    # harm the evidence: 0.9 lets evidence lead (0.75 let a high-impact stage's harmless alerts
    # outrank real incidents on lower-rated stages in seeded variant worlds).
    "corroboration": 0.9,
    "harm_exponent": 0.5,
    "unmapped_impact": 1.0,  # an alert no touchpoint claims: no customer stage at stake
    "unmapped_sensitivity": 0.1,
    # a workspace without any journey map cannot tell customer stages from internal systems: every
    # group counts as at stake, so nothing is suppressed for lack of a map
    "no_map_impact": 10.0,
    "no_map_sensitivity": 1.0,
    "default_exposure": 0.5,  # a stage without journey metrics: unknown, not zero
    "default_harm": 0.35,  # likewise: harm not measurable is not "no harm seen"
    "default_confidence": 0.7,  # a tool that gives no confidence
    "duration_full_min": 240.0,  # four hours counts as fully long
    "recurrence_full": 20.0,  # twenty alerts in a group counts as fully recurrent
    "harm_full_drop": 0.5,  # a conversion 50% below its baseline is full harm
    "ttv_full_rise": 1.0,  # time to value doubled is full harm
    "satisfaction_full_drop": 0.25,  # satisfaction a quarter below its baseline is full harm
    # a team's own metrics that can show harm: [{"metric": column, "worse": "up"|"down", "full": change}]
    "harm_metrics": [],
    "min_entered": 30,  # fewer entries in the window: too thin to call a drop
    # readings are measured from their 99% bounds (Wilson for rates, standard errors for the rest),
    # with z raised for the number of readings a stage offers (harm_inputs.harm_z_table)
    "harm_z": 2.58,
    "max_window_hours": 24,
    "threshold": 5.0,  # groups scoring below are suppressed (kept, marked, never deleted)
    # ...unless their stage measurably got worse in their window: a low score never hides observed harm
    "threshold_spares_harm": True,
    "harm_observed_min": 0.1,  # harm at least this counts as observed (a drop 5% past the 99% bound)
    "group_gap_minutes": 60,  # alerts of one key further apart than this are separate problems
    "flap_window_minutes": 60,
    "flap_min_cycles": 3,
    "change_lookback_minutes": 120,  # a change this soon before a group started is linked to it
    # change management (retro/change_shifts.py): a change flags its stage only when the window after it
    # differs measurably from the window before (each side change_window_hours, scaled down to at least
    # change_min_window_hours when data is short); tests Holm-corrected per stage at change_alpha
    "change_window_hours": 24,
    "change_min_window_hours": 6,
    "change_alpha": 0.05,  # family-wise per stage (Holm over all its tests)
    "change_min_alerts": 10,  # alerts on both sides together, else the alert rate is not judged
    "change_min_entered": 200,  # entries on each side, else the conversion is not judged
    "change_min_rate_ratio": 1.5,  # the alert rate must move by this factor (up or down) to count
    "change_min_conversion_points": 2.0,  # the conversion must move by this many percentage points
    "change_min_relative_shift": 0.1,  # time to value / satisfaction must move by this share of before
    # groups on one stage whose spans overlap within this, and that share a service, touchpoint, change
    # or measured harm, are one incident candidate (incidents.py); incident_splits: group ids kept apart
    "correlate_minutes": 15,
    "incident_splits": [],
    # in the needs-mapping lane (no touchpoint claims the service), groups this severe or worse
    # (2 = critical and high) are never suppressed by the threshold
    "needs_mapping_spares_rank": 2,
    # [{"match": {...}, "stage": glob, "from": iso, "until": iso, "reason": text}]: maintenance
    # windows and known-noise patterns; matching groups are suppressed with the reason
    "suppress": [],
    # feed health (notebooks/signals/feed_health.py FEED_HEALTH says what each does): a feed's cadence, its gaps,
    # staleness, volume changes and schema drift
    "feed_coverage": 0.9,
    "feed_min_buckets": 8,
    "feed_gap_periods": 3,
    "feed_stale_periods": 3,
    "feed_history_days": 28,
    "feed_min_history": 7,
    "feed_z_min": 4.0,
    "feed_min_ratio": 2.0,
    "feed_min_change": 20,
    "feed_drift_min_rows": 20,
    # AI outcome signals (notebooks/ai/signal_kinds.py, signal_actions.py): the p95 latency budget in ms
    # (the seed's < 2 s), per feature where ai_latency_budgets names it; an edit rate below
    # ai_edit_rate_target for ai_edit_rate_days days suggests tightening the feature's threshold; drift
    # between model versions proposes judging ai_rejudge_sample interactions of the new one
    "ai_latency_budget_ms": 2000.0,
    "ai_latency_budgets": {},
    "ai_edit_rate_target": 0.10,
    "ai_edit_rate_days": 14,
    "ai_rejudge_sample": 200,
    # AI knobs (notebooks/ai/outcomes.py, shadow.py): the weighted_score weights (SPEC §4.2, normalised to
    # sum to 1); the value in USD of one successful interaction per feature, for ROI (a feature not named
    # has no ROI); the shortest shadow run, in days between its first and last pair, that may be promoted
    "ai_weights": {"task_completion": 0.5, "relevance": 0.3, "safety": 0.2},
    "outcome_values": {},
    "shadow_min_days": 7,
}
