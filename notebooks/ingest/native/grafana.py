"""Grafana Alerting."""

LAYOUTS = []
