-- Evaluation scores (SPEC §2.5), long format: one row per interaction, metric and evaluator.
create table canonical.eval_scores (
    interaction_id varchar not null,
    name           varchar not null,    -- task_completion, relevance, safety, ...
    value          double,              -- 0..1
    label          varchar,
    source         varchar not null,    -- llm | human | code
    explanation    varchar,
    extra          varchar,
    upload_id      varchar not null
)
