-- jl_ts(text) -> TIMESTAMP (UTC). ISO 8601 with or without offset (no offset = UTC, because the
-- session TimeZone is UTC), or epoch seconds / milliseconds (>= 1e11 is taken as milliseconds:
-- 1e11 seconds would be the year 5138). NULL when the text is none of these.
create or replace macro jl_ts(v) as (
    coalesce(
        try_cast(try_cast(trim(v) as timestamptz) as timestamp),
        case
            when abs(try_cast(trim(v) as double)) >= 1e11
                then try_cast(to_timestamp(try_cast(trim(v) as double) / 1000.0) as timestamp)
            else try_cast(to_timestamp(try_cast(trim(v) as double)) as timestamp)
        end
    )
)
