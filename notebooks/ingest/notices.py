"""Alert notices: how one row of an alerts file becomes one stored notice.

Alerting tools send an alert several times (firing, re-notified, acknowledged, resolved), often in
different uploads. journeylens stores every notice, and the view `alerts` folds them
(`sql/ingest/06_folded_alerts.sql`). This module gives the conversion of `columns.py` what is special
about an alerts row: its status, its event time, where a resolve's time came from, its lifecycle key
and its identity as a notice; and, after an upload is written, which of its keys need folding.
"""


# A follow-up notice (a resolve or an acknowledgement) may come without these (PagerDuty documents a
# resolve of only routing_key, dedup_key and event_action): its alert's firing notice carries them.
OPTIONAL_ON_FOLLOW_UP = ("fired_at", "service", "name", "severity")
# The notice says it is a resolve or an acknowledgement, or gives no status and a resolved time.
FOLLOW_UP = """("p__status" in ('resolved', 'acknowledged') or ("p__status" is null and "p__resolved_at" is not null))"""
STATUS = """coalesce("p__status", case when "p__resolved_at" is not null then 'resolved' else 'firing' end)"""
KEY_GIVEN = """("v__alert_key" is not null or "v__alert_id" is not null)"""


def resolve_exemption(kind: str, column: str) -> str | None:
    """SQL true where a missing required value is allowed: a follow-up notice. Without a fired time it must
    still name its alert (alert_key or alert_id), or it could never reach one."""
    if kind != "alerts" or column not in OPTIONAL_ON_FOLLOW_UP:
        return None
    if column == "fired_at":
        return f"({FOLLOW_UP} and {KEY_GIVEN})"
    return FOLLOW_UP


def notice_expression(name: str, has_row: bool) -> str | None:
    """The stored value of the notice columns of an alerts row (None for every other column).

    A resolve without a time takes the best evidence, in this order: its own resolved time, the notice's
    own timestamp (event_at), the upload's time; `resolved_from` says which."""
    if name == "status":
        return STATUS
    if name == "resolved_at":
        return f"""case when {STATUS} = 'resolved' then coalesce("p__resolved_at", "p__event_at", $upload_time) end"""
    if name == "resolved_from":
        return (f"""case when {STATUS} = 'resolved' then case when "p__resolved_at" is not null then 'resolved_at' """
                """when "p__event_at" is not null then 'notice_time' else 'upload_time' end end""")
    if name == "event_at":
        return (f"""coalesce("p__event_at", case when {STATUS} = 'resolved' then "p__resolved_at" end, "p__fired_at", """
                "$upload_time)")
    if name == "alert_id":
        # a tool's own id, else <key>@<fired time as the tool wrote it> (PagerDuty: dedup_key@timestamp)
        return """coalesce("p__alert_id", case when "v__alert_key" is not null and "p__fired_at" is not null
                  then "v__alert_key" || '@' || "v__fired_at" end)"""
    if name == "receipt":
        return "__row" if has_row else "null"
    return None


def identify_notices(select: str) -> str:
    """Wraps the conversion: an alert without an id gets a stable one from what identifies it (so the same
    alert from another export is recognised), the lifecycle key defaults to the id, and each notice gets
    its identity (jl_notice_id)."""
    derived = ("coalesce(alert_id, case when fired_at is not null then md5(concat_ws('|', source, fingerprint, "
               "service, name, strftime(fired_at, '%Y-%m-%dT%H:%M:%S.%f'))) end)")
    with_ids = f"select * replace ({derived} as alert_id) from ({select})"
    return ("select * replace (coalesce(alert_key, alert_id) as alert_key, jl_notice_id(coalesce(alert_key, alert_id), "
            "status, event_at, fired_at, resolved_at, severity_raw, service, name) as notice_id) "
            f"from ({with_ids})")


def write_fold_keys(con, notices_file, out) -> int:
    """Writes the upload's keys that need folding to `out` (Parquet) and returns how many: keys with
    several notices here, a notice without its firing, or notices already stored (the view
    `alert_notices` of the connection, the workspace before this upload)."""
    # a file path is a value: it goes through the relational API, never into SQL text
    con.read_parquet(str(notices_file)).project("alert_key, fired_at").create_view("new_notices", replace=True)
    keys = con.sql(
        "select alert_key from new_notices group by alert_key having count(*) > 1 or bool_or(fired_at is null) "
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


