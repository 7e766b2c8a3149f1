-- jl_distinct_keys(list of {k, v}) -> the same list with repeated keys dropped (first one wins), because
-- a map cannot hold a key twice and exports do repeat tags. Only lists that repeat a key pay for it.
create or replace macro jl_distinct_keys(entries) as (
    case
        when len(list_distinct(list_transform(entries, lambda x: x.k))) = len(entries) then entries
        else list_filter(entries, lambda e, i: list_position(list_transform(entries, lambda x: x.k), e.k) = i)
    end
)
