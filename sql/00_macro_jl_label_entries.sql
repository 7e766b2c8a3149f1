-- jl_label_entries(list of {k, v}) -> the same list with repeated keys dropped (first one wins), because
-- a map cannot hold a key twice and exports do repeat tags.
create or replace macro jl_label_entries(entries) as (
    list_filter(entries, lambda e, i: list_position(list_transform(entries, lambda x: x.k), e.k) = i)
)
