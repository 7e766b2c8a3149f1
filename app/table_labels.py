"""One way for a page to show a frame to people: human headers (workspace/labels.human), shares as
percentages, counts with thousands separators, times to the minute. The frame itself is not changed: its
downloads and the CLI keep the snake_case names."""

import pandas as pd
import streamlit as st
from journeylens.notebooks.workspace.labels import human


def column_config(frame: pd.DataFrame, percent=(), **overrides) -> dict:
    """st.dataframe's column_config for `frame`: `percent` columns as 12.3%, integers as 2,435, datetimes as
    YYYY-MM-DD HH:mm, every header human; `overrides` ({column: header or a column config}) win."""
    config = {}
    for name in frame.columns:
        label = human(name)
        if name in percent:
            config[name] = st.column_config.NumberColumn(label, format="percent")
        elif pd.api.types.is_datetime64_any_dtype(frame[name]):
            config[name] = st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm")
        elif pd.api.types.is_integer_dtype(frame[name]):
            config[name] = st.column_config.NumberColumn(label, format="localized")
        elif pd.api.types.is_float_dtype(frame[name]):
            config[name] = st.column_config.NumberColumn(label, format="%.1f")
        else:
            config[name] = label
    config.update(overrides)
    return config


def show_table(frame: pd.DataFrame, key: str | None = None, percent=(), **overrides) -> None:
    """`frame` as a table with human headers (column_config); None shows as an empty cell."""
    st.dataframe(frame, hide_index=True, key=key, column_config=column_config(frame, percent, **overrides))
