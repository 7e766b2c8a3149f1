"""notebooks/workspace/safe_output.py: CSV cells a spreadsheet will not run, Markdown that renders as text, terminal
text that steers nothing, and output targets that never land on a workspace's stored state."""

import os

import markdown
import pandas as pd
import pytest
from journeylens.notebooks.retro.pages import markdown_page
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.safe_output import (
    check_output_folder,
    check_output_target,
    csv_safe,
    csv_text,
    markdown_text,
    terminal_text,
    write_csv,
)

HOSTILE = ['=HYPERLINK("http://evil","x")', "<script>alert(1)</script>", "[click](javascript:alert(1))",
           "\x1b[31mRED\x1b[0m"]


def test_csv_safe_quotes_formula_cells_and_keeps_numbers():
    frame = pd.DataFrame({
        "name": ['=HYPERLINK("http://evil","x")', "+1+2", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "  =1+1",
                 "\n@x", "\0x", "-5", "+1.5e3", "ok", None],
        "score": [-1.5, 2.0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
        "suppressed": [True, False] * 6 + [True],
    })
    safe = csv_safe(frame)
    assert safe["name"].tolist() == ['\'=HYPERLINK("http://evil","x")', "'+1+2", "'-2+3", "'@SUM(A1)", "'\tTAB",
                                     "'\rCR", "'  =1+1", "'\n@x", "'\0x", "-5", "+1.5e3", "ok", safe["name"].iloc[-1]]
    assert pd.isna(safe["name"].iloc[-1])
    assert safe["score"].dtype == frame["score"].dtype and safe["score"].iloc[0] == -1.5  # numbers stay numbers
    assert safe["suppressed"].dtype == bool
    assert frame["name"].iloc[0].startswith("=")  # the caller's frame is not changed
    assert csv_safe(pd.DataFrame(columns=["=evil"])).columns.tolist() == ["'=evil"]
    text = csv_text(frame)
    assert text.splitlines()[1].startswith('"\'=HYPERLINK(""http://evil"",""x"")",-1.5,')


def test_markdown_text_renders_hostile_names_as_text():
    assert markdown_text("<script>alert(1)</script>") == "&lt;script>alert(1)&lt;/script>"
    assert markdown_text("[click](javascript:alert(1))") == r"\[click\](javascript:alert(1))"
    assert markdown_text("_a_ *c* `d` | e & f\ng") == r"\_a\_ \*c\* \`d\` \| e &amp; f g"
    assert markdown_text("ai_metrics.csv") == "ai_metrics.csv"  # between letters an underscore is no emphasis
    assert markdown_text("\x1b[31mRED") == r"\\x1b\[31mRED"
    assert markdown_text("# not a heading", line_start=True) == r"\# not a heading"
    assert markdown_text("1. not a list", line_start=True) == r"1\. not a list"
    assert markdown_text("alerts -> groups") == "alerts -> groups"  # a > closes nothing once < is escaped
    page = markdown_page(HOSTILE[1], HOSTILE[2], [(HOSTILE[2], HOSTILE[1], ["name", "<b>x</b>"],
                                                  [[name, "![img](javascript:alert(1))"] for name in HOSTILE])])
    rendered = markdown.markdown(page, extensions=["tables"])
    assert "<script" not in rendered and "<a " not in rendered and "<img" not in rendered and "<b>" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered and "[click](javascript:alert(1))" in rendered
    assert rendered.count("<tr>") == 1 + len(HOSTILE)  # a | in the data never makes a cell


def test_terminal_text_shows_control_characters_escaped():
    assert terminal_text("\x1b[31mRED\x1b[0m") == "\\x1b[31mRED\\x1b[0m"
    assert terminal_text("a\rb\x07\x9b2J\u202eevil\u2066x\u2069") == "a\\x0db\\x07\\x9b2J\\u202eevil\\u2066x\\u2069"
    assert terminal_text("a\tb\nc") == "a\tb\\x0ac"
    assert terminal_text("a\tb\nc", keep_newlines=True) == "a\tb\nc"
    assert terminal_text("ünïcode ✓") == "ünïcode ✓"


@pytest.fixture
def workspace(tmp_path):
    ws = tmp_path / "ws"
    (ws / "uploads" / "u1").mkdir(parents=True)
    (ws / "uploads" / "u1" / "alerts.parquet").write_bytes(b"PAR1")
    (ws / "audit.jsonl").write_text("{}\n")
    return ws


def test_output_targets_on_stored_state_are_refused(workspace, tmp_path):
    (tmp_path / "link.csv").symlink_to(workspace / "audit.jsonl")
    (tmp_path / "dirlink").symlink_to(workspace / "uploads")
    refused = [workspace / "audit.jsonl", workspace / "uploads", workspace / "uploads" / "u1" / "alerts.parquet",
               workspace / "profiles" / "default" / "x.csv", workspace / ".trash" / ".." / "audit.head",
               tmp_path / "link.csv", tmp_path / "dirlink" / "new.csv"]
    for target in refused:
        with pytest.raises(IngestError, match="outside what a workspace stores"):
            check_output_target(target)  # the workspace is found from the target itself
    other = tmp_path / "other"  # a --workspace that is not (yet) a workspace folder is still guarded
    with pytest.raises(IngestError, match="judge"):
        check_output_target(other / "judge" / "x.csv", workspace=other)
    with pytest.raises(IngestError, match="input files"):
        check_output_target(tmp_path / "in.csv", inputs=[tmp_path / "x" / ".." / "in.csv"])
    with pytest.raises(IngestError, match="a folder"):
        check_output_target(workspace)  # a file wanted where a folder is
    (tmp_path / "file").write_text("x")
    with pytest.raises(IngestError, match="a folder for the output files"):
        check_output_folder(tmp_path / "file", ["a.csv"])
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "retro.md").symlink_to(workspace / "audit.jsonl")
    with pytest.raises(IngestError, match="audit.jsonl itself"):
        check_output_folder(tmp_path / "out", ["retro_stages.csv", "retro.md"])  # files inside a folder too
    # beside stored state is fine: a report next to the uploads, or anywhere else
    assert check_output_target(workspace / "ranked.csv") == workspace.resolve() / "ranked.csv"
    assert check_output_folder(tmp_path / "new", ["a/b.csv"]) == [(tmp_path / "new" / "a" / "b.csv").resolve()]


def test_write_csv_replaces_the_file_instead_of_writing_through_a_hard_link(tmp_path):
    stored = tmp_path / "stored.parquet"
    stored.write_bytes(b"PAR1 stored")
    os.link(stored, tmp_path / "out.csv")
    write_csv(pd.DataFrame({"name": ["=1+1"]}), tmp_path / "out.csv")
    assert stored.read_bytes() == b"PAR1 stored"
    assert (tmp_path / "out.csv").read_text() == "name\n'=1+1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "stored.parquet"]  # no temporary left


def test_ai_page_download_is_neutralised(app_sample_copy, open_page, monkeypatch):
    """The prompt-backlog export of the AI outcomes page: a feature named like a formula stays text."""
    import journeylens.notebooks.ai.outcome_signals as ai_signals
    import streamlit as st

    real = ai_signals.low_success_slices
    monkeypatch.setattr(ai_signals, "low_success_slices",
                        lambda con, *a, **k: real(con, *a, **k).assign(feature=HOSTILE[0]))
    downloads = {}

    def download_button(label, data, *args, **kwargs):
        downloads[label] = data
        return False

    monkeypatch.setattr(st, "download_button", download_button)
    open_page("views/ai.py")
    exported = downloads["Export for the prompt backlog (CSV)"]
    assert '"\'=HYPERLINK(""http://evil"",""x"")"' in exported and '\n"=HYPERLINK' not in exported
