"""`journeylens nab score|evaluate`: argument parsing and printing; the work is notebooks/signals/nab.py."""

import sys

from journeylens.app.cli_text import say


def file_progress(label: str):
    """Per-file progress on the terminal (stderr), so standard output stays the result."""
    from journeylens.notebooks.workspace.safe_output import terminal_text

    def report(done: int, total: int, name: str) -> None:
        end = "\n" if done == total or not sys.stderr.isatty() else ""
        sys.stderr.write(f"\r{label}: {done}/{total} {terminal_text(name)[:60]:<60}{end}")
        sys.stderr.flush()
    return report


def cmd_nab_score(args) -> int:
    from journeylens.notebooks.signals.nab import score_directory

    names = score_directory(args.data_dir, args.out, progress=file_progress("nab score"))
    say(f"scored {len(names)} files into {args.out}")
    return 0


def cmd_nab_evaluate(args) -> int:
    from journeylens.notebooks.signals.nab import evaluate_directory

    result = evaluate_directory(args.data_dir, args.labels_json, args.scores, progress=file_progress("nab evaluate"))
    print(f"files {result['files']}, windows {result['windows']}, detected {result['detected']}, "
          f"false positives {result['false_positives']}")
    for profile, label in (("standard", "standard"), ("reward_low_FP_rate", "low-FP"), ("reward_low_FN_rate", "low-FN")):
        print(f"{label:9s} {result[profile]:6.1f}")
    return 0


def add_nab_parser(verbs) -> None:
    nab = verbs.add_parser("nab", help="the journey-signal detector on the Numenta Anomaly Benchmark")
    actions = nab.add_subparsers(dest="nab_verb", required=True, metavar="ACTION")
    score = actions.add_parser("score", help="write timestamp,value,anomaly_score per NAB file")
    score.add_argument("data_dir", metavar="DATA_DIR", help="NAB layout: <corpus>/<file>.csv")
    score.add_argument("--out", required=True, metavar="DIR", help="folder for <corpus>/<file>.csv")
    score.set_defaults(run=cmd_nab_score)
    evaluate = actions.add_parser("evaluate", help="print the NAB scores (standard, low-FP, low-FN)")
    evaluate.add_argument("data_dir", metavar="DATA_DIR")
    evaluate.add_argument("labels_json", metavar="LABELS_JSON", help="NAB combined_windows.json")
    evaluate.add_argument("--scores", metavar="DIR", help="`nab score` output to evaluate (default: run the detector)")
    evaluate.set_defaults(run=cmd_nab_evaluate)
