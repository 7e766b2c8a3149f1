-- Changes (SPEC §2.7): deploys, config, feature flags, pricing and UI changes.
create table canonical.changes (
    ts          timestamp not null,
    service     varchar not null,
    kind        varchar not null,       -- deploy | config | feature_flag | pricing | ui
    description varchar,
    extra       varchar,
    upload_id   varchar not null
)
