"""retro.html on its own: the page `journeylens retro` writes (report.write_retro), for the Retro page's
download. The same sections and charts as retro.md and the CLI's page (report.retro_sections,
retro_charts), through pages.html_page: every text escaped, the Vega JavaScript inlined, so the page
opens offline.

The JavaScript bundle takes seconds to build (vl-convert), so it is built once per process and only
when a page is asked for: the Retro page offers retro.html without paying for it on every rerun."""

from functools import cache

from journeylens.notebooks.retro.pages import html_page, vega_bundle
from journeylens.notebooks.retro.report import retro_charts, retro_sections


@cache
def offline_bundle() -> str:
    """pages.vega_bundle, built once: it depends only on the installed Altair and vl-convert."""
    return vega_bundle()


def retro_title(found: dict) -> str:
    return f"journeylens retro: {found['week']}"


def retro_html(found: dict, bundle: str | None = None) -> str:
    """retro.html of an assembled retro (report.assemble_retro): one self-contained page. `bundle` replaces
    the inlined JavaScript (tests pass a stub)."""
    return html_page(retro_title(found), retro_sections(found), retro_charts(found),
                     offline_bundle() if bundle is None else bundle)
