"""Langfuse."""

LAYOUTS = []
