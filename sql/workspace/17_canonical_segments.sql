-- Segments (personas or tiers) and their optional weights (SPEC §2.2).
create table canonical.segments (
    journey     varchar not null,
    segment     varchar not null,
    weight      double not null,    -- 1.0 when the map gives none
    description varchar,
    upload_id   varchar not null
)
