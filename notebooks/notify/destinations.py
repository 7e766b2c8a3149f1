"""Sending one message to one destination: Slack incoming webhooks, a JSON webhook, PagerDuty Events API v2.

Secrets: a destination's URL and routing key are read from the environment variables its config names, at
the moment of sending, and go nowhere else: not into the payload a dry run shows, not into a record, not into
an error. Every error text that leaves this module is masked (`mask`): the secret, and a URL's path and
query (where a Slack webhook keeps its token), become `***`. Slack's client gets a logger that logs nothing,
so a debug-level root logger cannot print the webhook URL either.

Retries: a timeout, a refused or dropped connection, a 5xx or a 429 is tried again, `retry.attempts` in all,
after `backoff_s`, then twice that, and so on (no jitter: one workspace, one sender), never waiting more than
`max_wait_s` at once. A 429's Retry-After is respected: when it asks for longer than `max_wait_s`, this
evaluation stops trying and the message waits for the next one. Any other 4xx is not retried now (the
request itself is wrong). A message that still failed is recorded as failed, and its changes stay owed:
the next evaluation sends it again.
"""

import email.utils
import http.client
import json
import logging
import os
import re
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from urllib.parse import urlsplit

PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
BODY_LIMIT = 300  # how much of a failed response's body is kept (masked)
TRANSIENT = (TimeoutError, ConnectionError, urllib.error.URLError, http.client.HTTPException)
QUIET = logging.getLogger("journeylens.notify.slack_sdk")
QUIET.setLevel(logging.CRITICAL + 10)  # slack_sdk logs the URL at debug level: give it a logger that never logs
QUIET.propagate = False


class Unsendable(Exception):
    """A destination that cannot be reached as configured (its variable unset, not an http(s) URL)."""


def tokenish(piece: str) -> bool:
    """A URL path segment or query value that may be a credential: 6+ characters with a digit or a capital,
    or 20+ of any kind (`T0AB12/B0CD34/xYz...` of a Slack webhook; not `services` or `enqueue`)."""
    return len(piece) >= 20 or (len(piece) >= 6 and any(c.isdigit() or c.isupper() for c in piece))


def mask(text, secrets) -> str:
    """`text` with every secret replaced by ***, and of a secret URL its path, its query and each of their
    parts that may be a credential (tokenish): an answer quoting part of the URL is masked too."""
    out = str(text)
    for secret in secrets:
        if not secret:
            continue
        pieces = [secret]
        if "://" in secret:
            parts = urlsplit(secret)
            pieces += [p for p in (parts.path, parts.query) if len(p) > 1]
            pieces += [p for p in re.split(r"[/?&=;]", f"{parts.path}?{parts.query}") if tokenish(p)]
        for piece in sorted(pieces, key=len, reverse=True):
            out = out.replace(piece, "***")
    return out


def secret_from(environ, variable: str, what: str) -> str:
    value = (environ.get(variable) or "").strip()
    if not value:
        raise Unsendable(f"the environment variable {variable} (the {what}) is not set")
    return value


def http_url(value: str, variable: str) -> str:
    if urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).netloc:
        raise Unsendable(f"the environment variable {variable} does not hold an http(s) URL")
    return value


def post_json(url: str, body: dict, timeout: float) -> tuple:
    """(status, body text, headers) of a JSON POST; an HTTP error status is an answer, not an exception."""
    request = urllib.request.Request(url, data=json.dumps(body, default=str).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "User-Agent": "journeylens"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) checked
            return response.status, response.read(4096).decode("utf-8", "replace"), dict(response.headers)
    except urllib.error.HTTPError as err:
        text = err.read(4096).decode("utf-8", "replace") if err.fp else ""
        return err.code, text, dict(err.headers or {})


def slack_post(url: str, payload: dict, timeout: float) -> tuple:
    """Slack's own webhook client (slack_sdk), its retries off: ours count and wait as the config says."""
    from slack_sdk.webhook import WebhookClient

    client = WebhookClient(url, timeout=timeout, logger=QUIET, retry_handlers=[])
    response = client.send(text=payload["text"], blocks=payload["blocks"])
    return response.status_code, response.body or "", dict(response.headers or {})


def poster(destination: dict, environ) -> tuple:
    """(post(payload) -> (status, body, headers), the secrets to mask) of one destination."""
    kind, timeout = destination["type"], destination["timeout_s"]
    if kind == "pagerduty":
        key = secret_from(environ, destination["routing_key_env"], "PagerDuty routing key")
        url = PAGERDUTY_EVENTS_URL
        if destination.get("url_env"):
            url = http_url(secret_from(environ, destination["url_env"], "Events API URL"), destination["url_env"])
        return (lambda payload: post_json(url, {"routing_key": key, **payload}, timeout)), (key, url)
    url = http_url(secret_from(environ, destination["url_env"], f"{kind} URL"), destination["url_env"])
    if kind == "slack":
        return (lambda payload: slack_post(url, payload, timeout)), (url,)
    return (lambda payload: post_json(url, payload, timeout)), (url,)


def retry_after(headers: dict, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for (a number, or an HTTP date), or None."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def send(destination: dict, message: dict, retry: dict, environ=None, sleep=time.sleep) -> dict:
    """Sends `message` (messages.plan_messages) with retries: {status: sent|failed, attempts, http_status,
    error (masked, '' when sent), response (masked, short)}."""
    environ = os.environ if environ is None else environ
    try:
        post, secrets = poster(destination, environ)
    except Unsendable as err:
        return {"status": "failed", "attempts": 0, "http_status": None, "error": str(err), "response": ""}
    attempts, status, error, body = 0, None, "", ""
    for attempt in range(1, retry["attempts"] + 1):
        attempts, wait = attempt, retry["backoff_s"] * 2 ** (attempt - 1)
        try:
            status, body, headers = post(message["payload"])
        except TRANSIENT as err:
            status, error, headers = None, f"{type(err).__name__}: {err}", {}
        except (ValueError, OSError) as err:  # a URL urllib cannot use, a socket error of another kind
            status, error = None, f"{type(err).__name__}: {err}"
            break
        if status is not None and 200 <= status < 300:
            return {"status": "sent", "attempts": attempts, "http_status": status, "error": "",
                    "response": mask(body, secrets)[:BODY_LIMIT]}
        if status is not None:
            error = f"HTTP {status}: {body.strip()[:BODY_LIMIT]}"
            if status != 429 and status < 500:
                break
            asked = retry_after(headers) if status == 429 else None
            if asked is not None and asked > retry["max_wait_s"]:
                error += f" (asked to retry after {asked:g} s: left for the next evaluation)"
                break
            wait = asked if asked is not None else wait
        if attempt < retry["attempts"]:
            sleep(min(wait, retry["max_wait_s"]))
    return {"status": "failed", "attempts": attempts, "http_status": status, "error": mask(error, secrets),
            "response": mask(body, secrets)[:BODY_LIMIT]}
