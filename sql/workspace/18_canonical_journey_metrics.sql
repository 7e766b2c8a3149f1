-- Journey metrics (SPEC §2.3): one row per time bucket, stage and segment.
create table canonical.journey_metrics (
    ts              timestamp not null,
    stage           varchar not null,
    segment         varchar not null,   -- "all" when the file has no segment column
    entered         bigint not null,
    completed       bigint not null,    -- never more than entered
    time_to_value_s double,
    satisfaction    double,
    extra           varchar,
    upload_id       varchar not null
)
