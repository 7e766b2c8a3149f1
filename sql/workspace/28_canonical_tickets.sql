-- Support tickets (SPEC §2.8), optional. Zendesk and Jira Service Management CSV exports load here too
-- (notebooks/ingest/native/helpdesk.py): a ticket is counted where it was opened, per feature, stage
-- and segment, by the early churn signals (notebooks/ai/churn_signals.py).
create table canonical.tickets (
    ts          timestamp not null,
    ticket_id   varchar not null,
    user_id     varchar,
    segment     varchar,
    feature     varchar,
    stage       varchar,
    category    varchar,
    priority    varchar,
    extra       varchar,
    upload_id   varchar not null
)
