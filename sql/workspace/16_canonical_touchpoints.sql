-- Touchpoint rules (SPEC §2.2): first match wins, so `position` is part of the meaning.
create table canonical.touchpoints (
    journey    varchar not null,
    position   integer not null,    -- 1-based rule order
    stage      varchar not null,
    touchpoint varchar,
    match      varchar not null,    -- JSON object: alert column or labels.<key> -> glob or "re:" regex
    upload_id  varchar not null
)
