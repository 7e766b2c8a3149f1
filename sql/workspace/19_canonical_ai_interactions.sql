-- AI interactions (SPEC §2.4). OpenTelemetry GenAI attribute names are mapped onto these columns.
create table canonical.ai_interactions (
    interaction_id  varchar not null,
    ts              timestamp not null,
    feature         varchar not null,
    accepted        boolean not null,
    user_id         varchar,
    segment         varchar,
    task_type       varchar,
    model_version   varchar,
    stage           varchar,
    prompt          varchar,
    output          varchar,
    edited          boolean,
    edited_output   varchar,
    fallback        boolean,
    fallback_reason varchar,
    feedback        varchar,            -- up | down
    intent_mismatch boolean,
    latency_ms      double,
    input_tokens    bigint,
    output_tokens   bigint,
    cost_usd        double,
    outcome         varchar,
    shadow          boolean not null,   -- false when the file does not say
    extra           varchar,
    upload_id       varchar not null
)
