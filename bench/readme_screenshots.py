"""The README's screenshots, made again: the sample workspace built in a temporary folder, the app served on
it (bench/app_server.py), each page opened in Debian's Chromium at 1400×900 and saved as a PNG.

    .venv/bin/python -m bench.readme_screenshots [--out docs/img]      (or `make screenshots`)

Never downloads a browser. A page is shot once it has computed (its own words are on screen and Streamlit
is no longer running), so a screenshot never shows a spinner."""

import argparse
import re
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a file: bench/ is a folder of scripts, not part of the package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.app_server import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

SIZE = {"width": 1400, "height": 900}
OPEN_ENTRY = "ranked-drill-down"
# (file name, path in the app, what the page says once it has computed, the text to scroll to the top or None)
PAGES = (
    ("overview", "", r"alerts became [\d,]+ alert groups", None),
    (OPEN_ENTRY, "ranked", r"(drove|cut) this score", r"^#1 · "),  # the drill-down is below the queue
    ("journey-health", "health", r"Signals over the history", r"^A stage against its history$"),
    ("ai-outcomes", "ai", r"Infrastructure-centric against outcome-aligned", None),
    ("retro", "retro", r"Per stage", None),
    ("governance", "governance", r"Audit chain", None),
)


def settle(page, says: str, timeout: float = 240_000) -> None:
    """Wait until the page shows `says` and Streamlit has stopped running, then for its charts to draw."""
    from playwright.sync_api import expect

    expect(page.get_by_text(re.compile(says)).first).to_be_visible(timeout=timeout)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=timeout)
    page.wait_for_timeout(1500)  # Vega draws after the element appears


def first_entry_path(page, url: str) -> str:
    """The Ranked page with the queue's first entry open: the Overview's link to it (?entry=<its key>)."""
    page.goto(url)
    settle(page, PAGES[0][2])
    return page.get_by_role("link", name=re.compile(r"^1\. ")).get_attribute("href").lstrip("/")


def capture(url: str, browser, out: Path, names=None) -> list:
    """PNGs of the pages named (all of PAGES by default) into `out`; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    page = browser.new_page(viewport=SIZE)
    try:
        for name, path, says, scroll_to in PAGES:
            if names and name not in names:
                continue
            if name == OPEN_ENTRY:
                path = first_entry_path(page, url)
            page.goto(f"{url}/{path}")
            settle(page, says)
            if scroll_to:
                page.get_by_text(re.compile(scroll_to)).first.evaluate(
                    "element => element.scrollIntoView({block: 'start'})")
                page.wait_for_timeout(800)
            target = out / f"{name}.png"
            page.screenshot(path=str(target))
            written.append(target)
    finally:
        page.close()
    return written


def screenshots(out: Path, names=None, workspace: Path | None = None) -> list:
    """Build the sample workspace (unless `workspace` is given), serve the app on it, launch Chromium and
    capture (see capture)."""
    from journeylens.notebooks.ingest.sample_workspace import build_sample_workspace
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="journeylens-shots-") as tmp:
        if workspace is None:
            workspace = Path(tmp) / "ws"
            build_sample_workspace(workspace)
        with serve(workspace) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                return capture(url, browser, Path(out), names)
            finally:
                browser.close()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/img", help="folder for the PNGs (default docs/img)")
    parser.add_argument("--page", action="append", choices=[shot[0] for shot in PAGES],
                        help="only this page (repeatable)")
    args = parser.parse_args(argv)
    for path in screenshots(Path(args.out), args.page):
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
