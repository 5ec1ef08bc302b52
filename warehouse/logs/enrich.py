"""Enrichment: fill in service and host, normalise levels to a fixed set, and build the row
stored in the ``logs`` table from a parsed line."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from typing import Any

import orjson

from warehouse.logs.parsers import ParsedLine

LEVELS = ("debug", "info", "warning", "error", "critical", "unknown")

_LEVEL_NAMES = {
    "trace": "debug",
    "debug": "debug",
    "dbg": "debug",
    "verbose": "debug",
    "fine": "debug",
    "finer": "debug",
    "finest": "debug",
    "info": "info",
    "information": "info",
    "informational": "info",
    "notice": "info",
    "ok": "info",
    "i": "info",
    "warn": "warning",
    "warning": "warning",
    "w": "warning",
    "error": "error",
    "err": "error",
    "severe": "error",
    "fail": "error",
    "failure": "error",
    "e": "error",
    "critical": "critical",
    "crit": "critical",
    "fatal": "critical",
    "emerg": "critical",
    "emergency": "critical",
    "alert": "critical",
    "panic": "critical",
    "f": "critical",
}
# Syslog severities 0..7 and Python's levelno (10..50).
_SYSLOG_NUM = ("critical", "critical", "critical", "error", "warning", "info", "info", "debug")


def normalize_level(value: Any) -> str:
    """Map any common spelling (names, syslog numbers, Python levelno) onto ``LEVELS``."""
    if value is None or value == "":
        return "unknown"
    if isinstance(value, bool):
        return "unknown"
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        n = int(float(value))
        if 0 <= n <= 7:
            return _SYSLOG_NUM[n]
        if n >= 50:
            return "critical"
        if n >= 40:
            return "error"
        if n >= 30:
            return "warning"
        if n >= 20:
            return "info"
        return "debug" if n > 0 else "unknown"
    return _LEVEL_NAMES.get(str(value).strip().lower(), "unknown")


_HOSTNAME = socket.gethostname()


def iso(ts: datetime) -> str:
    """The one timestamp spelling used in the spool (UTC, microseconds, explicit offset)."""
    return ts.astimezone(UTC).isoformat(timespec="microseconds")


def to_row(
    parsed: ParsedLine,
    *,
    service: str | None = None,
    host: str | None = None,
    received: datetime | None = None,
    template: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The ``logs`` row for a parsed line.

    The line's own service/host win over the collector's defaults; a line without a usable
    timestamp gets the time it was received.
    """
    ts = parsed.ts or received or datetime.now(UTC)
    attrs = parsed.attrs
    request_id = parsed.request_id
    if request_id is None and isinstance(attrs.get("request_id"), str):
        request_id = attrs["request_id"]
    return {
        "ts": iso(ts),
        "service": (parsed.service or service or "unknown")[:100],
        "host": parsed.host or host or _HOSTNAME,
        "level": normalize_level(parsed.level),
        "logger": parsed.logger,
        "message": parsed.message,
        "template_id": template[0] if template else None,
        "template": template[1] if template else None,
        "format": parsed.format,
        "raw": parsed.raw,
        "request_id": request_id,
        "attrs": orjson.dumps(attrs, default=str).decode() if attrs else None,
    }
