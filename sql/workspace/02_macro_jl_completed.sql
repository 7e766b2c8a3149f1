-- jl_completed(accepted, fallback, feedback, intent_mismatch) -> whether an AI interaction completed its
-- task (SPEC §4.2): accepted and not fallback and feedback <> 'down' and not intent_mismatch. A missing
-- flag is false and a missing feedback is not 'down'. The one definition every AI query uses.
create or replace macro jl_completed(accepted, fallback, feedback, intent_mismatch) as (
    accepted
    and not coalesce(fallback, false)
    and coalesce(feedback, '') <> 'down'
    and not coalesce(intent_mismatch, false)
)
