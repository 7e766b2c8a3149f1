"""Fixtures shared across test modules: the sample workspace, and the app page helpers."""

import pytest
import streamlit as st


@pytest.fixture
def clear_streamlit_caches():
    """st.cache_* outlives one AppTest run inside a pytest process (STYLE trap 5): start and end clean."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory):
    """The sample workspace, built once per test run. Read-only: a test that stores copies it first."""
    from journeylens.notebooks.ingest.sample_workspace import build_sample_workspace

    ws = tmp_path_factory.mktemp("app-sample") / "ws"
    build_sample_workspace(ws)
    return ws


@pytest.fixture
def app_sample_copy(sample_dir, tmp_path, monkeypatch, clear_streamlit_caches):
    """A private copy of the sample workspace that the app opens: for page tests that store something."""
    import shutil

    ws = tmp_path / "ws"
    shutil.copytree(sample_dir, ws)
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(ws))
    return ws


@pytest.fixture
def open_page():
    """open_page("views/x.py"): the app in AppTest, switched to a page, run, and checked for exceptions."""
    from journeylens.app.ui import ENTRY
    from streamlit.testing.v1 import AppTest

    def open_(page: str, timeout: float = 90):
        at = AppTest.from_file(str(ENTRY), default_timeout=timeout)
        at.run()
        at.switch_page(page)
        at.run()
        assert not at.exception, at.exception
        return at

    return open_
