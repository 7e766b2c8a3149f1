"""`journeylens judge`: argument parsing and printing; the work is in notebooks/judge_*.py."""

import sys


def cmd_judge(args) -> int:
    from notebooks.judge_runner import JudgeError, judge_settings
    from notebooks.judge_workspace import judge_plan, judge_workspace, offline_workspace

    if args.offline:
        result = offline_workspace(args.workspace, args.limit)
        print(f"offline evaluator: stored {result['stored']} scores (source code)")
        return 0
    try:
        settings = judge_settings(args.model, args.base_url)
    except JudgeError as err:
        print(f"journeylens judge: {err}", file=sys.stderr)
        return 2
    prices = {"input": args.price_in, "output": args.price_out}
    plan = judge_plan(args.workspace, settings["model"], args.limit, prices)
    estimate = plan["estimate"]
    print(f"judge {settings['model']}: {plan['interactions']:,} interactions, {plan['cached']:,} verdicts cached, "
          f"{estimate['calls']:,} calls to make, about {estimate['input_tokens']:,} input and "
          f"{estimate['output_tokens']:,} output tokens, about ${estimate['usd']:.4f}", file=sys.stderr)
    if args.dry_run:
        return 0

    def progress(done: int, total: int) -> None:
        end = "\n" if done == total or not sys.stderr.isatty() else ""
        if sys.stderr.isatty() or done == total or done % max(1, total // 20) == 0:
            sys.stderr.write(f"\rjudge: {done:,}/{total:,} verdicts{end}")
            sys.stderr.flush()

    result = judge_workspace(args.workspace, settings, args.limit, args.concurrency, progress)
    print(f"judged {result['called']:,} (unparsed {result['unparsed']:,}), stored {result['stored']:,} new "
          f"llm scores" + (f" as upload {result['upload']}" if result["upload"] else ""))
    return 0


def add_judge_parser(verbs, with_workspace) -> None:
    judge = with_workspace(verbs.add_parser("judge", help="LLM-as-judge on the workspace's AI interactions"))
    judge.add_argument("--model", help="model name (default JOURNEYLENS_JUDGE_MODEL or gpt-4o-mini)")
    judge.add_argument("--base-url", help="any OpenAI-compatible server (default OPENAI_BASE_URL or OpenAI)")
    judge.add_argument("--limit", type=int, help="only the first N interactions (oldest first)")
    judge.add_argument("--concurrency", type=int, default=4, help="calls in flight at once (default 4)")
    judge.add_argument("--price-in", type=float, default=0.15, help="USD per million input tokens, for the estimate")
    judge.add_argument("--price-out", type=float, default=0.60, help="USD per million output tokens")
    judge.add_argument("--dry-run", action="store_true", help="print the estimate only")
    judge.add_argument("--offline", action="store_true", help="the offline evaluator from user signals (no key)")
    judge.set_defaults(run=cmd_judge)
