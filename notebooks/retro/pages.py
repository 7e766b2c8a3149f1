"""Report pages.

The Markdown and the self-contained HTML renderings every journeylens report shares (the audit, the
retro): sections of plain-text tables, and Altair charts embedded as Vega-Lite specs with the
JavaScript inlined, so a page opens offline.
"""

import html
import json
from functools import cache

from journeylens.notebooks.workspace.safe_output import markdown_text


def markdown_page(title: str, note: str, sections: list) -> str:
    """A report as Markdown: sections = [(heading, intro, columns, rows)], rows of plain-text cells. Every
    text (title, headings, intros, cells) is data to this page and goes through safe_output.markdown_text,
    so an alert named <script> or [x](javascript:...) renders as that text."""
    def paragraph(text):
        return markdown_text(text, line_start=True)

    def table_row(cells):
        return "| " + " | ".join(markdown_text(c) for c in cells) + " |"

    lines = [f"# {paragraph(title)}", "", paragraph(note), ""] if note else [f"# {paragraph(title)}", ""]
    for heading, intro, columns, rows in sections:
        lines += [f"## {paragraph(heading)}", "", paragraph(intro), ""]
        if columns and rows:
            lines.append(table_row(columns))
            lines.append("|" + "---|" * len(columns))
            lines += [table_row(row) for row in rows]
            lines.append("")
        elif columns:
            lines += ["_None._", ""]
    return "\n".join(lines)


@cache
def vega_bundle() -> str:
    """The vega, vega-lite and vega-embed JavaScript in one script (from vl-convert-python), matching
    Altair's Vega-Lite version, so report.html needs no network. It takes seconds to build and depends only
    on the installed Altair and vl-convert: built once per process (the app's downloads ask for it often)."""
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_convert.javascript_bundle(vl_version=vl_version_for_vl_convert())


def script_json(value) -> str:
    """JSON safe inside a <script> element: no "<" can close it."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def html_page(title: str, sections: list, charts: list, bundle: str | None = None) -> str:
    """One self-contained HTML page: sections = [(heading, intro, columns, rows)], charts = [(title,
    Altair chart)]. The JavaScript bundle is inlined once and each chart is a Vega-Lite spec
    (chart.to_dict()) embedded as JSON; every text is escaped. Works offline."""
    esc = html.escape
    body = []
    for heading, intro, columns, rows in sections:
        body.append(f"<h2>{esc(heading)}</h2>\n<p>{esc(intro)}</p>")
        if columns and rows:
            head = "".join(f"<th>{esc(c)}</th>" for c in columns)
            cells = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>")
        elif columns:
            body.append("<p><em>None.</em></p>")
    specs = []
    for index, (chart_title, chart) in enumerate(charts):
        body.append(f'<h2>{esc(chart_title)}</h2>\n<div class="chart" id="chart{index}"></div>')
        specs.append({"id": f"chart{index}", "spec": chart.to_dict()})
    script = bundle if bundle is not None else vega_bundle()
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{esc(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.85em; }}
th, td {{ border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }}
th {{ background: #f3f3f3; }}
</style>
<script type="text/javascript">
{script}
</script>
</head>
<body>
<h1>{esc(title)}</h1>
{chr(10).join(body)}
<script type="application/json" id="vega-specs">{script_json(specs)}</script>
<script type="text/javascript">
for (const item of JSON.parse(document.getElementById("vega-specs").textContent)) {{
  vegaEmbed("#" + item.id, item.spec, {{actions: false}}).catch(console.error);
}}
</script>
</body>
</html>
"""
