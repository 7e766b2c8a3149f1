-- jl_severity_rank(text) -> 1..5 on journeylens' one ordered severity scale (1 = most severe):
--   1 critical : critical, crit, fatal, emergency, disaster, sev1, p1, 1
--   2 high     : high, error, err, major, sev2, p2, 2
--   3 medium   : medium, warning, warn, moderate, average, sev3, p3, 3
--   4 low      : low, minor, sev4, p4, 4
--   5 info     : info, informational, notice, debug, none, ok, success, sev5, p5, 5
-- NULL for anything else, so that ingest can refuse it with the value it found.
create or replace macro jl_severity_rank(v) as (
    -- the words tools send most, without a regular expression (it costs a pass over every row)
    case lower(v) when 'critical' then 1 when 'high' then 2 when 'error' then 2 when 'warning' then 3
        when 'medium' then 3 when 'low' then 4 when 'info' then 5 else
    case regexp_replace(lower(trim(v)), '^(sev|severity|p)[ _-]?', '\1')
        when 'critical' then 1 when 'crit' then 1 when 'fatal' then 1 when 'emergency' then 1
        when 'disaster' then 1 when 'sev1' then 1 when 'severity1' then 1 when 'p1' then 1 when '1' then 1
        when 'high' then 2 when 'error' then 2 when 'err' then 2 when 'major' then 2
        when 'sev2' then 2 when 'severity2' then 2 when 'p2' then 2 when '2' then 2
        when 'medium' then 3 when 'warning' then 3 when 'warn' then 3 when 'moderate' then 3
        when 'average' then 3 when 'sev3' then 3 when 'severity3' then 3 when 'p3' then 3 when '3' then 3
        when 'low' then 4 when 'minor' then 4 when 'sev4' then 4 when 'severity4' then 4
        when 'p4' then 4 when '4' then 4
        when 'info' then 5 when 'informational' then 5 when 'notice' then 5 when 'debug' then 5
        when 'none' then 5 when 'ok' then 5 when 'success' then 5 when 'sev5' then 5 when 'severity5' then 5
        when 'p5' then 5 when '5' then 5
    end
    end
)
