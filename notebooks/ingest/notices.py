"""Alert notices: how one row of an alerts file becomes one stored notice.

Alerting tools send an alert several times (firing, re-notified, acknowledged, resolved), often in
different uploads. journeylens stores every notice, and the view `alerts` folds them
(`sql/ingest/15_folded_alerts.sql`). This module gives the conversion of `columns.py` what is special
about an alerts row: its status, its event time, where a resolve's time came from, its lifecycle key
and its identity as a notice; and, after an upload is written, which of its keys need folding.
"""


# A follow-up notice (a resolve or an acknowledgement) may come without these (PagerDuty documents a
# resolve of only routing_key, dedup_key and event_action): its alert's firing notice carries them.
OPTIONAL_ON_FOLLOW_UP = ("fired_at", "service", "name", "severity")
# The notice says it is a resolve or an acknowledgement, or gives no status and a resolved time.
FOLLOW_UP = ("""coalesce("p__status" in ('resolved', 'acknowledged') or ("p__status" is null and """
             """"p__resolved_at" is not null), false)""")
# A notice's status: given, else resolved where it has a resolved time. Computed once per row (a layer
# over the parsed values: notice_layer) and read by every notice column.
STATUS_EXPRESSION = """coalesce("p__status", case when "p__resolved_at" is not null then 'resolved' else 'firing' end)"""
STATUS = '"n__status"'
FIRED = '"n__fired"'  # fired_evidence, computed once per row by notice_layer
KEY_GIVEN = """("v__alert_key" is not null or "v__alert_id" is not null)"""


def resolve_exemption(kind: str, column: str, native: bool = False) -> str | None:
    """SQL true where a missing required value is allowed: a follow-up notice. Without a fired time it must
    still name its alert (alert_key or alert_id), or it could never reach one. A tool's own payload
    (`native`) may send a trigger without any time (PagerDuty Events API v1): it takes the best evidence
    (fired_evidence)."""
    if kind != "alerts" or column not in OPTIONAL_ON_FOLLOW_UP:
        return None
    if column == "fired_at":
        return "true" if native else f"({FOLLOW_UP} and {KEY_GIVEN})"
    return FOLLOW_UP


def fired_evidence(native: bool) -> str:
    """A firing notice's fired time: its own, else (a tool's payload only) its timestamp, else the upload's."""
    if not native:
        return '"p__fired_at"'
    return f"""case when {STATUS} = 'firing' then coalesce("p__fired_at", "p__event_at", $upload_time)
               else "p__fired_at" end"""


def notice_expression(name: str, plan: dict) -> str | None:
    """The stored value of the notice columns of an alerts row (None for every other column).

    A resolve without a time takes the best evidence, in this order: its own resolved time, the notice's
    own timestamp (event_at), the upload's time; `resolved_from` says which, and `fired_from` the same of
    a trigger's time. A notice with no time at all is ordered where the file puts it: it takes the time
    of the notice before it (receipt order), else the upload's."""
    has_row = plan.get("has_row", False)
    # Stored only where the view `alert_notices` (sql/ingest/14) cannot derive it: a status other than
    # what resolved_at says, a key other than the id, a time taken from elsewhere than the file's own
    # column. Columns that repeat what another says cost a twentieth of a large ingest to write.
    if name == "status":
        return f"case when {STATUS} = 'acknowledged' then 'acknowledged' end"
    if name == "fired_at":
        return FIRED
    if name == "fired_from":
        return (f"""case when "p__fired_at" is not null or {FIRED} is null then null """
                """when "p__event_at" is not null then 'notice_time' else 'upload_time' end""")
    if name == "resolved_at":
        return f"""case when {STATUS} = 'resolved' then coalesce("p__resolved_at", "p__event_at", $upload_time) end"""
    if name == "resolved_from":
        return (f"""case when {STATUS} = 'resolved' then case when "p__resolved_at" is not null then null """
                """when "p__event_at" is not null then 'notice_time' else 'upload_time' end end""")
    if name == "event_at":
        before = ("""last_value(coalesce("p__event_at", "p__fired_at", "p__resolved_at") ignore nulls) over """
                  "(order by __row rows between unbounded preceding and 1 preceding), ") if has_row else ""
        return (f"""coalesce("p__event_at", case when {STATUS} = 'resolved' then "p__resolved_at" end, "p__fired_at", """
                f"{before}$upload_time)")
    if name == "alert_id":
        # a tool's own id, else <key>@<fired time as the tool wrote it> (PagerDuty: dedup_key@timestamp)
        return f"""coalesce("p__alert_id", case when "v__alert_key" is not null and {FIRED} is not null
                  then "v__alert_key" || '@' || coalesce("v__fired_at", strftime({FIRED}, '%Y-%m-%dT%H:%M:%SZ')) end)"""
    if name == "receipt":
        return "__row" if has_row else "null"
    return None


# A notice's identity: the same function of its stored values at ingest (new_notices_only) and in the
# view `alert_notices` (sql/ingest/14), which computes it for the rows that need it; it is not stored,
# because hashing every row of a large upload costs a fifth of its ingest.


def notice_layer(parsed: str, native: bool) -> str:
    """The parsed values of an alerts file with the notice's status (`n__status`) and fired time
    (`n__fired`, fired_evidence) beside them: computed once per row, read by every notice column."""
    with_status = f"select *, {STATUS_EXPRESSION} as \"n__status\" from ({parsed})"
    return f"select *, {fired_evidence(native)} as \"n__fired\" from ({with_status})"


def identify_notices(select: str) -> str:
    """Wraps the conversion: an alert without an id gets a stable one from what identifies it (so the same
    alert from another export is recognised). The lifecycle key, when the file gives none, is the id: the
    view `alert_notices` says so, nothing is stored for it."""
    derived = ("coalesce(alert_id, case when fired_at is not null then md5(concat_ws('|', source, fingerprint, "
               "service, name, strftime(fired_at, '%Y-%m-%dT%H:%M:%S.%f'))) end)")
    with_ids = f"select * replace ({derived} as alert_id) from ({select})"
    return with_ids


def new_notices_only(select: str) -> str:
    """The conversion without the notices already stored (the view `alert_notices`): re-ingesting an
    overlapping export adds only what is new."""
    # the notice as the view sees it (its stored columns normalised as sql/ingest/14 does)
    return (f"select * from ({select}) as n where not exists (select 1 from alert_notices as s "
            "where s.notice_id = jl_notice_id(coalesce(n.alert_key, n.alert_id), coalesce(n.status, case when "
            "n.resolved_at is not null then 'resolved' else 'firing' end), coalesce(n.event_at, n.resolved_at, "
            "n.fired_at), n.fired_at, n.resolved_at, n.severity_raw, n.service, n.name))")


def write_fold_keys(con, notices_file, out) -> int:
    """Writes the upload's keys that need folding to `out` (Parquet) and returns how many: keys with
    several notices here, a notice without its firing, or notices already stored (the view
    `alert_notices` of the connection, the workspace before this upload)."""
    # a file path is a value: it goes through the relational API, never into SQL text
    con.read_parquet(str(notices_file)).project("coalesce(alert_key, alert_id) as alert_key, fired_at").create_view(
        "new_notices", replace=True)
    # Grouping by the key's 64-bit hash is several times faster than by the text, and usually finds nothing;
    # a hash shared by two keys only folds both, which gives the same alerts.
    keys = con.sql(
        "with candidates as (select hash(alert_key) as h from new_notices group by h "
        "having count(*) > 1 or bool_or(fired_at is null)) "
        "select distinct alert_key from new_notices where hash(alert_key) in (select h from candidates) "
        "union select distinct alert_key from new_notices semi join alert_notices using (alert_key)"
    )
    keys.write_parquet(str(out), compression="snappy")
    return con.sql("select count(*) from read_parquet($p)", params={"p": str(out)}).fetchall()[0][0]


def waiting_notices(con) -> int:
    """How many of the new notices (view `new_notices`, made by write_fold_keys) belong to an alert with no
    firing notice anywhere yet: a resolve that arrived before its trigger. They fold in once it comes."""
    return con.sql(
        "with orphans as (select alert_key from new_notices where fired_at is null), "
        "fired as (select alert_key from new_notices where fired_at is not null "
        "union all select alert_key from alert_notices where fired_at is not null) "
        "select count(*) from orphans anti join fired using (alert_key)"
    ).fetchall()[0][0]


def conversion_params(kind: str, upload_id: str, upload_time) -> dict:
    """The parameters of a conversion SELECT: alerts also use the upload's time (a resolve's last evidence)."""
    params = {"upload_id": upload_id}
    if kind == "alerts":
        params["upload_time"] = upload_time
    return params


