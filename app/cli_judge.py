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

    misplaced = follow_misplaced(args)
    if misplaced:
        say(f"journeylens judge: {misplaced}", err=True)
        return EXIT_REFUSED
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
    if args.follow:
        return follow(args, settings)
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


def follow_misplaced(args) -> str | None:
    """What refuses the follow options: --offline or --limit with --follow, or its options without it."""
    if args.follow and (args.offline or args.limit):
        return f"--follow judges every interaction as it arrives: not with {'--offline' if args.offline else '--limit'}"
    given = [flag for flag, value in (("--poll", args.poll), ("--budget-per-hour", args.budget_per_hour),
                                      ("--budget-usd-per-hour", args.budget_usd_per_hour)) if value is not None]
    return f"{given[0]} goes with --follow" if given and not args.follow else None


def budget_text(left: dict) -> str:
    parts = ([f"{left['calls']:,} calls"] if left["calls"] is not None else []) + (
        [f"${left['usd']:.4f}"] if left["usd"] is not None else [])
    return f"; budget left this hour: {' and '.join(parts)}" if parts else ""


def follow_line(event: dict) -> str | None:
    """The line a follow event prints on standard error: rounds that did work, waits for the budget, retries."""
    kind = event["event"]
    if kind == "start":
        return (f"judge --follow: following the workspace, a look every {event['poll']:g} s"
                f"{budget_text(event['budget'])}; SIGTERM or Ctrl-C stops")
    if kind == "round" and (event["called"] or event["stored"]):
        return (f"judge --follow: judged {event['judged']:,}, failed {event['failed']:,}, unparsed "
                f"{event['unparsed']:,}; stored {event['stored']:,} new llm scores"
                + (f" as upload {event['upload']}" if event["upload"] else "")
                + (f"; {event['waiting']:,} calls wait for the budget" if event["waiting"] else "")
                + budget_text(event["budget"]))
    if kind == "budget":
        return (f"judge --follow: hourly budget spent, {event['waiting']:,} calls wait; trying again in "
                f"{event['resume_in']:,.0f} s{budget_text(event['budget'])}")
    if kind == "backoff":
        return (f"judge --follow: {event['failed']:,} calls failed (last: {event['last_error']}); they are made "
                f"again in {event['retry_in']:g} s")
    if kind == "error":
        return f"judge --follow: the round failed ({event['error']}); trying again in {event['retry_in']:g} s"
    return None


def follow(args, settings: dict) -> int:
    """`judge --follow`: until SIGTERM or SIGINT, then exit 0 (the calls still without a verdict wait for the
    next run)."""
    import threading

    from journeylens.notebooks.ai.judge_follow import DEFAULT_POLL, follow_workspace, stop_on_signals
    from journeylens.notebooks.ai.judge_runner import JudgeError

    def progress(event):
        line = follow_line(event)
        if line:
            say(line, err=True)
            sys.stderr.flush()

    with stop_on_signals(threading.Event()) as stop:
        try:
            totals = follow_workspace(args.workspace, settings, args.concurrency, args.poll or DEFAULT_POLL,
                                      args.budget_per_hour, args.budget_usd_per_hour,
                                      {"input": args.price_in, "output": args.price_out}, stop, progress)
        except JudgeError as err:
            say(f"journeylens judge: {err}", err=True)
            return EXIT_REFUSED
    rounds = f"{totals['rounds']:,} round" + "s" * (totals["rounds"] != 1)
    say(f"judge --follow: stopped after {rounds}: judged {totals['judged']:,}, failed {totals['failed']:,}, "
        f"unparsed {totals['unparsed']:,}; stored {totals['stored']:,} new llm scores")
    return 0


def add_judge_parser(verbs, with_workspace) -> None:
    judge = with_workspace(verbs.add_parser(
        "judge", help="LLM-as-judge on the workspace's AI interactions",
        epilog="exit status: 0 every call answered (with --follow: stopped by SIGTERM or Ctrl-C); 2 no key or a "
               "bad option; 3 some calls failed or the run stopped early after consecutive failures (run again: "
               "they are retried, verdicts are kept)"))
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
    judge.add_argument("--follow", action="store_true",
                       help="keep judging interactions as they arrive, until SIGTERM or Ctrl-C (then exit 0)")
    judge.add_argument("--poll", type=positive(float), metavar="SECONDS",
                       help="with --follow: seconds between two looks at the workspace (default 5)")
    judge.add_argument("--budget-per-hour", type=positive(int), metavar="CALLS",
                       help="with --follow: at most CALLS calls in any rolling hour; the rest wait")
    judge.add_argument("--budget-usd-per-hour", type=positive(float), metavar="USD",
                       help="with --follow: at most USD estimated (--price-in/--price-out) in any rolling hour")
    judge.set_defaults(run=cmd_judge)
