"""retro.html on its own (report.retro_page, pages.vega_bundle): the page `journeylens retro` writes, escaped and
offline."""

import re

import pytest
from journeylens.notebooks.retro.pages import vega_bundle
from journeylens.notebooks.retro.report import assemble_retro, retro_page, write_retro

HOSTILE = "<script>alert('x')</script> & <img src=http://evil.example/x.png>"


@pytest.fixture(scope="module")
def found(sample_dir):
    return assemble_retro(sample_dir)


def test_the_page_is_the_one_the_cli_writes(found, tmp_path):
    write_retro(found, tmp_path, bundle="/* bundle */")
    assert retro_page(found, bundle="/* bundle */") == (tmp_path / "retro.html").read_text(encoding="utf-8")


def test_text_from_the_data_is_escaped(found):
    stages = found["stages"].copy()
    stages.loc[stages.index[0], "stage"] = HOSTILE
    page = retro_page({**found, "week": "W<1>", "stages": stages}, bundle="")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;img" in page
    assert "<script>alert(" not in page and "<img" not in page
    assert "<title>journeylens retro: W&lt;1&gt;</title>" in page
    # inside the chart specs too: no "<" can close their <script> element
    specs = re.search(r'<script type="application/json" id="vega-specs">(.*?)</script>', page, re.S)[1]
    assert "\\u003cscript\\u003e" in specs and "<" not in specs


def test_the_page_opens_offline(found):
    page = retro_page(found)
    assert vega_bundle() in page and len(page) > 300_000  # the vega, vega-lite and vega-embed bundle inlined
    assert "vegaEmbed" in page
    assert not re.search(r"<script[^>]*\bsrc\s*=", page)
    # the page around the bundle (whose JavaScript holds tag strings of its own) loads nothing either
    own = page.replace(vega_bundle(), "")
    assert not re.search(r"<(link|img|iframe)[^>]*\b(href|src)\s*=", own)
    assert not re.search(r"@import|url\(", own)
    assert "cdn.jsdelivr" not in page and "unpkg.com" not in page


def test_the_bundle_is_built_once():
    assert vega_bundle() is vega_bundle()
