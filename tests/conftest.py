"""Fixtures shared by the app tests."""

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
