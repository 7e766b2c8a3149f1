"""What a page shows people, read from AppTest: each table's headers as shown (the column config's label, else
the column's own name) and every line of text, to check that no snake_case name reaches the screen."""

import json
import re

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")  # time_to_value_s, z_min, upload_id
FILE_OR_ICON = re.compile(r"`[^`]*`|:material/[a-z_]+:|[\w.-]+\.(?:csv|jsonl|json|yaml|yml|txt|md|html)\b")
TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success")


def shown_headers(table) -> list:
    """The headers a person sees on an AppTest dataframe: hidden columns (column_order) left out."""
    config = json.loads(table.proto.columns) if table.proto.columns else {}
    order = list(table.proto.column_order) or list(table.value.columns)
    return [(config.get(str(name)) or {}).get("label") or str(name) for name in order]


def snake_headers(at) -> list:
    return [header for table in at.dataframe for header in shown_headers(table) if SNAKE.search(header)]


def snake_text(at) -> list:
    """Lines of text with a snake_case word outside `code` (a command or path in backticks may have one), a
    file's name (ai_interactions_2026h2a.jsonl is what the person uploaded) and an icon (:material/check_circle:)."""
    lines = [el.value for kind in TEXT_ELEMENTS for el in at.get(kind)]
    return [line for line in lines if SNAKE.search(FILE_OR_ICON.sub("", str(line)))]
