-- Journey stages (SPEC §2.2), in the order the customer meets them.
create table canonical.stages (
    journey     varchar not null,
    stage       varchar not null,
    name        varchar not null,
    position    integer not null,   -- 1-based order in the journey
    impact      double not null,    -- 1..10
    sensitivity double not null,    -- 0..1
    description varchar,
    upload_id   varchar not null
)
