-- jl_score_precedence(source) -> which evaluation of an interaction's metric counts (lowest wins): a
-- human score over an llm one over a code one (SPEC §4.2). The one ordering every AI query uses.
create or replace macro jl_score_precedence(source) as (
    case source when 'human' then 1 when 'llm' then 2 else 3 end
)
