"""What the command line prints for people. Messages echo data (file names, found values, service names)
that came from other tools: it is shown, never obeyed by the terminal."""

import sys

EXIT_REFUSED = 2  # a refusal (SPEC §3): bad input, a bad name, an output target that is not allowed


def say(text: str, err: bool = False, keep_newlines: bool = False) -> None:
    """Prints a message (to standard error with `err`) with control characters and bidi overrides shown
    escaped (safe_output.terminal_text): a file named with ANSI colours prints as \\x1b[31m..."""
    from journeylens.notebooks.workspace.safe_output import terminal_text

    print(terminal_text(text, keep_newlines), file=sys.stderr if err else sys.stdout)


def progress_printer(label: str):
    """A progress callback for the terminal: a redrawn line on a TTY, a line per step otherwise."""
    from journeylens.notebooks.workspace.safe_output import terminal_text

    last = {"text": None}
    label = terminal_text(label)

    def report(fraction: float, text: str) -> None:
        text = terminal_text(text)
        if sys.stderr.isatty():
            sys.stderr.write(f"\r{label}: {fraction:4.0%} {text[:60]:<60}")
            if fraction >= 1.0:
                sys.stderr.write("\n")
        elif text.split(" (")[0] != last["text"]:
            sys.stderr.write(f"{label}: {text}\n")
        last["text"] = text.split(" (")[0]
        sys.stderr.flush()

    return report
