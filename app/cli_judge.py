"""`journeylens judge`: argument parsing and printing; the work is in notebooks/ai/judge*.py."""

import argparse
import sys

from journeylens.app.cli_text import say

EXIT_REFUSED = 2  # no key, or an option out of range (argparse also exits 2)
EXIT_INCOMPLETE = 3  # the run finished, but calls failed or were not run: run again to retry them


def positive(kind):
    """An argparse type: a number of `kind` above 0."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be above 0, not {text}")
        return value
    return parse


def progress_printer():
    """A progress callback for the terminal, and `end()` to close a redrawn line a stopped run left open."""
    tty = sys.stderr.isatty()
    shown = {"open": False}

    def progress(done: int, total: int) -> None:
        if tty or done == total or done % max(1, total // 20) == 0:
            sys.stderr.write(f"\rjudge: {done:,}/{total:,} calls" + ("" if tty and done < total else "\n"))
            sys.stderr.flush()
            shown["open"] = tty and done < total

    def end() -> None:
        if shown["open"]:
            sys.stderr.write("\n")

    return progress, end


def cmd_judge(args) -> int:
    from journeylens.notebooks.ai.judge_runner import JudgeError, judge_model, judge_settings
    from journeylens.notebooks.ai.judge_workspace import judge_plan, judge_workspace, offline_workspace

    if args.offline:
        result = offline_workspace(args.workspace, args.limit)
        say(f"offline evaluator: stored {result['stored']} scores (source code)")
        return 0
    model = judge_model(args.model)
    plan = judge_plan(args.workspace, model, args.limit, {"input": args.price_in, "output": args.price_out})
    estimate = plan["estimate"]
    retrying = f" ({plan['retrying']:,} failed before)" if plan["retrying"] else ""
    say(f"judge {model}: {plan['interactions']:,} interactions, {plan['cached']:,} verdicts cached, "
        f"{estimate['calls']:,} calls to make{retrying}, about {estimate['input_tokens']:,} input and "
        f"{estimate['output_tokens']:,} output tokens, about ${estimate['usd']:.4f}", err=True)
    if args.dry_run:
        return 0
    try:
        limits = {k: getattr(args, k) for k in ("timeout", "max_attempts", "max_consecutive_failures")}
        settings = judge_settings(model, args.base_url, **{k: v for k, v in limits.items() if v is not None})
    except JudgeError as err:
        say(f"journeylens judge: {err}", err=True)
        return EXIT_REFUSED
    progress, end = progress_printer()
    result = judge_workspace(args.workspace, settings, args.limit, args.concurrency, progress)
    end()
    say(f"judged {result['judged']:,}, failed {result['failed']:,}, unparsed {result['unparsed']:,}, "
        f"not run {result['not_run']:,}; stored {result['stored']:,} new llm scores"
        + (f" as upload {result['upload']}" if result["upload"] else ""))
    if result["stopped"]:
        say(f"journeylens judge: {result['stopped']}; the {result['failed'] + result['not_run']:,} calls "
            "without a verdict are made by the next run", err=True)
    elif result["failed"]:
        say(f"journeylens judge: {result['failed']:,} calls failed (last: {result['last_error']}); they are "
            "made again by the next run", err=True)
    return EXIT_INCOMPLETE if result["failed"] or result["not_run"] else 0


def add_judge_parser(verbs, with_workspace) -> None:
    judge = with_workspace(verbs.add_parser(
        "judge", help="LLM-as-judge on the workspace's AI interactions",
        epilog="exit status: 0 every call answered; 2 no key or a bad option; 3 some calls failed or the run "
               "stopped early after consecutive failures (run again: they are retried, verdicts are kept)"))
    judge.add_argument("--model", help="model name (default JOURNEYLENS_JUDGE_MODEL or gpt-4o-mini)")
    judge.add_argument("--base-url", help="any OpenAI-compatible server (default OPENAI_BASE_URL or OpenAI)")
    judge.add_argument("--limit", type=int, help="only the first N interactions (oldest first)")
    judge.add_argument("--concurrency", type=positive(int), default=4, help="calls in flight at once (default 4)")
    # the defaults of these three are judge_settings' (DEFAULT_* in notebooks/ai/judge_runner.py)
    judge.add_argument("--timeout", type=positive(float), metavar="SECONDS",
                       help="seconds one attempt may take, the whole request (default 30)")
    judge.add_argument("--max-attempts", type=positive(int), metavar="N",
                       help="attempts per call on timeouts, lost connections, 408/409/429/5xx (default 3)")
    judge.add_argument("--max-consecutive-failures", type=positive(int), metavar="N",
                       help="stop the run after N failed calls in a row (default 5)")
    judge.add_argument("--price-in", type=float, default=0.15, help="USD per million input tokens, for the estimate")
    judge.add_argument("--price-out", type=float, default=0.60, help="USD per million output tokens")
    judge.add_argument("--dry-run", action="store_true", help="print the estimate only (no key needed)")
    judge.add_argument("--offline", action="store_true", help="the offline evaluator from user signals (no key)")
    judge.set_defaults(run=cmd_judge)
