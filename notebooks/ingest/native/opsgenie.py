"""Opsgenie and Jira Service Management."""

LAYOUTS = []
