-- jl_labels_simple(text) -> JSON object text for plain pair lists, without lists or lambdas; NULL when
-- the text is not a plain list, so the caller falls back to jl_labels_pairs. Plain: every pair has the
-- key/value separator, nothing needs JSON escaping (no quote, backslash or control character), no empty
-- pair, no blank key. Separators are chosen as in jl_labels_pairs. Two tiers, cheapest first:
--   1. no space next to a separator and one key/value separator per pair: two plain replace() calls;
--   2. otherwise: one RE2 regexp_replace that trims keys and values.
-- A repeated key stays twice in the text; JSON lookups return its first value, as jl_labels_pairs keeps.
create or replace macro jl_labels_simple(v) as (
    case
        when contains(v, ';') and contains(v, '=') then
            case
                when regexp_full_match(v, '[^;="\\\x00-\x1f ](?:[^;="\\\x00-\x1f]*[^;="\\\x00-\x1f ])?=(?:[^;="\\\x00-\x1f ](?:[^;="\\\x00-\x1f]*[^;="\\\x00-\x1f ])?)?(?:;[^;="\\\x00-\x1f ](?:[^;="\\\x00-\x1f]*[^;="\\\x00-\x1f ])?=(?:[^;="\\\x00-\x1f ](?:[^;="\\\x00-\x1f]*[^;="\\\x00-\x1f ])?)?)*;?')
                    then '{"' || replace(replace(rtrim(v, ';'), ';', '","'), '=', '":"') || '"}'
                when regexp_full_match(v, ' *[^;="\\\x00-\x1f ][^;="\\\x00-\x1f]*=[^;"\\\x00-\x1f]*(?:; *[^;="\\\x00-\x1f ][^;="\\\x00-\x1f]*=[^;"\\\x00-\x1f]*)*;? *')
                    then '{' || rtrim(regexp_replace(trim(v), ' *([^;="\\\x00-\x1f ][^;="\\\x00-\x1f]*?) *= *([^;"\\\x00-\x1f]*?) *(?:;|$)', '"\1":"\2",', 'g'), ',') || '}'
            end
        when contains(v, ';') then
            case
                when regexp_full_match(v, '[^;:"\\\x00-\x1f ](?:[^;:"\\\x00-\x1f]*[^;:"\\\x00-\x1f ])?:(?:[^;:"\\\x00-\x1f ](?:[^;:"\\\x00-\x1f]*[^;:"\\\x00-\x1f ])?)?(?:;[^;:"\\\x00-\x1f ](?:[^;:"\\\x00-\x1f]*[^;:"\\\x00-\x1f ])?:(?:[^;:"\\\x00-\x1f ](?:[^;:"\\\x00-\x1f]*[^;:"\\\x00-\x1f ])?)?)*;?')
                    then '{"' || replace(replace(rtrim(v, ';'), ';', '","'), ':', '":"') || '"}'
                when regexp_full_match(v, ' *[^;:"\\\x00-\x1f ][^;:"\\\x00-\x1f]*:[^;"\\\x00-\x1f]*(?:; *[^;:"\\\x00-\x1f ][^;:"\\\x00-\x1f]*:[^;"\\\x00-\x1f]*)*;? *')
                    then '{' || rtrim(regexp_replace(trim(v), ' *([^;:"\\\x00-\x1f ][^;:"\\\x00-\x1f]*?) *: *([^;"\\\x00-\x1f]*?) *(?:;|$)', '"\1":"\2",', 'g'), ',') || '}'
            end
        when contains(v, '=') then
            case
                when regexp_full_match(v, '[^,="\\\x00-\x1f ](?:[^,="\\\x00-\x1f]*[^,="\\\x00-\x1f ])?=(?:[^,="\\\x00-\x1f ](?:[^,="\\\x00-\x1f]*[^,="\\\x00-\x1f ])?)?(?:,[^,="\\\x00-\x1f ](?:[^,="\\\x00-\x1f]*[^,="\\\x00-\x1f ])?=(?:[^,="\\\x00-\x1f ](?:[^,="\\\x00-\x1f]*[^,="\\\x00-\x1f ])?)?)*,?')
                    then '{"' || replace(replace(rtrim(v, ','), ',', '","'), '=', '":"') || '"}'
                when regexp_full_match(v, ' *[^,="\\\x00-\x1f ][^,="\\\x00-\x1f]*=[^,"\\\x00-\x1f]*(?:, *[^,="\\\x00-\x1f ][^,="\\\x00-\x1f]*=[^,"\\\x00-\x1f]*)*,? *')
                    then '{' || rtrim(regexp_replace(trim(v), ' *([^,="\\\x00-\x1f ][^,="\\\x00-\x1f]*?) *= *([^,"\\\x00-\x1f]*?) *(?:,|$)', '"\1":"\2",', 'g'), ',') || '}'
            end
        else
            case
                when regexp_full_match(v, '[^,:"\\\x00-\x1f ](?:[^,:"\\\x00-\x1f]*[^,:"\\\x00-\x1f ])?:(?:[^,:"\\\x00-\x1f ](?:[^,:"\\\x00-\x1f]*[^,:"\\\x00-\x1f ])?)?(?:,[^,:"\\\x00-\x1f ](?:[^,:"\\\x00-\x1f]*[^,:"\\\x00-\x1f ])?:(?:[^,:"\\\x00-\x1f ](?:[^,:"\\\x00-\x1f]*[^,:"\\\x00-\x1f ])?)?)*,?')
                    then '{"' || replace(replace(rtrim(v, ','), ',', '","'), ':', '":"') || '"}'
                when regexp_full_match(v, ' *[^,:"\\\x00-\x1f ][^,:"\\\x00-\x1f]*:[^,"\\\x00-\x1f]*(?:, *[^,:"\\\x00-\x1f ][^,:"\\\x00-\x1f]*:[^,"\\\x00-\x1f]*)*,? *')
                    then '{' || rtrim(regexp_replace(trim(v), ' *([^,:"\\\x00-\x1f ][^,:"\\\x00-\x1f]*?) *: *([^,"\\\x00-\x1f]*?) *(?:,|$)', '"\1":"\2",', 'g'), ',') || '}'
            end
    end
)
