"""What the command line prints for people. Messages echo data (file names, found values, service names)
that came from other tools: it is shown, never obeyed by the terminal."""

import sys

EXIT_REFUSED = 2  # a refusal (SPEC §3): bad input, a bad name, an output target that is not allowed


def say(text: str, err: bool = False, keep_newlines: bool = False) -> None:
    """Prints a message (to standard error with `err`) with control characters and bidi overrides shown
    escaped (safe_output.terminal_text): a file named with ANSI colours prints as \\x1b[31m..."""
    from journeylens.notebooks.workspace.safe_output import terminal_text

    print(terminal_text(text, keep_newlines), file=sys.stderr if err else sys.stdout)

