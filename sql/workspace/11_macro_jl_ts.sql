-- jl_ts(text) -> TIMESTAMP (UTC). ISO 8601 with or without offset (no offset = UTC, because the
-- session TimeZone is UTC), or epoch seconds / milliseconds (>= 1e11 is taken as milliseconds:
-- 1e11 seconds would be the year 5138). NULL when the text is none of these.
-- Never raises: an epoch of NaN, inf or beyond +-1e15 (ms: the year 33658) is NULL rather than an
-- engine error, and 'infinity' parses as itself. Whether a timestamp is plausible (1990-2100) is the
-- ingest checks' business (canonical_sql.bad_condition), so a refusal names the row and column.
create or replace macro jl_ts(v) as (
    coalesce(
        try_cast(try_cast(trim(v) as timestamptz) as timestamp),
        case
            when not isfinite(try_cast(trim(v) as double)) or abs(try_cast(trim(v) as double)) >= 1e15 then null
            when abs(try_cast(trim(v) as double)) >= 1e11
                then try_cast(to_timestamp(try_cast(trim(v) as double) / 1000.0) as timestamp)
            else try_cast(to_timestamp(try_cast(trim(v) as double)) as timestamp)
        end
    )
)
