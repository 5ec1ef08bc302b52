"""Log line parsers: JSON, logfmt, nginx/Apache combined (and common), syslog RFC 5424 and
RFC 3164, and free text, with auto-detection.

Detection looks at the first bytes only (``{`` -> JSON, ``<PRI>`` -> syslog, a client address
followed by ``[date]`` -> access log, ``key=value`` pairs -> logfmt), so a line that announces a
format but breaks it is reported as malformed with a reason instead of being misread as text.
Regular expressions rather than a parsing library: the formats are line-oriented and small, and
no maintained Python package covers all five.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

FORMATS = ("auto", "json", "logfmt", "combined", "syslog5424", "syslog3164", "text")
MAX_LINE_BYTES = 65_536


@dataclass
class ParsedLine:
    """One parsed line before enrichment; ``level`` is as written, not yet normalised."""

    format: str
    message: str
    raw: str
    ts: datetime | None = None
    level: str | None = None
    service: str | None = None
    host: str | None = None
    logger: str | None = None
    request_id: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)


class MalformedLine(ValueError):
    """A line that cannot be parsed; ``reason`` is stored next to it in quarantine."""

    def __init__(self, reason: str, raw: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.raw = raw


# -- timestamps ----------------------------------------------------------------------------
def parse_ts(value: Any, *, now: datetime | None = None) -> datetime | None:
    """ISO-8601 text, epoch seconds or milliseconds -> aware UTC datetime (None if unknown)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000.0 if value > 1e11 else float(value)
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
        return parse_ts(float(text))
    text = text.replace(",", ".", 1) if re.match(r".*\d:\d\d,\d", text) else text
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        ts = datetime.fromisoformat(text)
    except ValueError:
        return None
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def _bsd_ts(text: str, now: datetime | None) -> datetime | None:
    """RFC 3164 ``Mmm dd hh:mm:ss`` has no year: take the year that puts it closest to now."""
    now = now or datetime.now(UTC)
    try:
        ts = datetime.strptime(f"{now.year} {' '.join(text.split())}", "%Y %b %d %H:%M:%S")
    except ValueError:
        return None
    ts = ts.replace(tzinfo=UTC)
    if ts - now > timedelta(days=2):
        ts = ts.replace(year=now.year - 1)
    return ts


# -- JSON ----------------------------------------------------------------------------------
_JSON_KEYS = {
    "ts": ("ts", "time", "timestamp", "@timestamp", "datetime", "date", "t"),
    "level": ("level", "severity", "lvl", "levelname", "log.level", "loglevel"),
    "message": ("message", "msg", "log", "text", "event"),
    "service": ("service", "service.name", "app", "application", "component"),
    "host": ("host", "hostname", "host.name"),
    "logger": ("logger", "logger_name", "name", "log.logger"),
    "request_id": ("request_id", "requestId", "req_id", "trace_id", "x_request_id"),
}


def from_mapping(obj: dict[str, Any], raw: str, fmt: str) -> ParsedLine:
    """A structured record (JSON object or logfmt pairs) -> ParsedLine; unknown keys -> attrs."""
    rest = dict(obj)
    picked: dict[str, Any] = {}
    for target, keys in _JSON_KEYS.items():
        for key in keys:
            if key in rest and rest[key] not in (None, ""):
                picked[target] = rest.pop(key)
                break
    message = picked.get("message")
    if message is None:
        message = ""
    elif not isinstance(message, str):
        message = orjson.dumps(message).decode()
    ts_raw = picked.get("ts")
    ts = parse_ts(ts_raw)
    if ts_raw is not None and ts is None:
        rest["ts_raw"] = ts_raw
    return ParsedLine(
        format=fmt,
        message=message,
        raw=raw,
        ts=ts,
        level=None if picked.get("level") is None else str(picked["level"]),
        service=_text(picked.get("service")),
        host=_text(picked.get("host")),
        logger=_text(picked.get("logger")),
        request_id=_text(picked.get("request_id")),
        attrs=rest,
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def parse_json(line: str) -> ParsedLine:
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise MalformedLine(f"invalid JSON: {exc}", line) from exc
    if not isinstance(obj, dict):
        raise MalformedLine("JSON log line is not an object", line)
    return from_mapping(obj, line, "json")


# -- logfmt --------------------------------------------------------------------------------
_LOGFMT_PAIR = re.compile(r'\s*([\w.\-/@]+)(?:=("(?:[^"\\]|\\.)*"|[^\s"]*))?')
_LOGFMT_LINE = re.compile(r'(?:\s*[\w.\-/@]+=(?:"(?:[^"\\]|\\.)*"|[^\s"]*))+\s*')


def parse_logfmt(line: str) -> ParsedLine:
    if not _LOGFMT_LINE.fullmatch(line):
        raise MalformedLine("not a valid logfmt line (expected key=value pairs)", line)
    pairs: dict[str, Any] = {}
    for key, value in _LOGFMT_PAIR.findall(line):
        if value.startswith('"'):
            value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        pairs[key] = value
    return from_mapping(pairs, line, "logfmt")


# -- nginx / Apache combined -------------------------------------------------------------------
_Q = r'"((?:[^"\\]|\\.)*)"'
_COMBINED = re.compile(
    r"(\S+) (\S+) (\S+) \[([^\]]+)\] " + _Q + r" (\d{3}) (\d+|-)(?: " + _Q + " " + _Q + r")?(.*)"
)


def parse_combined(line: str) -> ParsedLine:
    m = _COMBINED.fullmatch(line)
    if not m:
        raise MalformedLine("not a valid combined/common access log line", line)
    client, ident, user, when, request, status, size, referer, agent, extra = m.groups()
    try:
        ts = datetime.strptime(when, "%d/%b/%Y:%H:%M:%S %z").astimezone(UTC)
    except ValueError as exc:
        raise MalformedLine(f"bad access-log timestamp {when!r}", line) from exc
    parts = request.split(" ")
    attrs: dict[str, Any] = {"client": client, "status": int(status)}
    if len(parts) == 3:
        attrs.update(method=parts[0], path=parts[1], protocol=parts[2])
    if user != "-":
        attrs["user"] = user
    if size != "-":
        attrs["bytes"] = int(size)
    if referer not in (None, "-"):
        attrs["referer"] = referer
    if agent not in (None, "-"):
        attrs["user_agent"] = agent
    if extra.strip():
        attrs["extra"] = extra.strip()
    code = int(status)
    level = "error" if code >= 500 else "warning" if code >= 400 else "info"
    return ParsedLine("combined", f"{request} {status}", line, ts=ts, level=level, attrs=attrs)


# -- syslog ----------------------------------------------------------------------------------
_SEVERITY = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")
_SD = r'(?:\[(?:[^\]"\\]|\\.|"(?:[^"\\]|\\.)*")*\])'
_RFC5424 = re.compile(
    r"<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) (-|" + _SD + r"+)(?: (.*))?", re.S
)
_SD_ELEMENT = re.compile(r'\[([^\s\]]+)((?:\s+[^\s=\]]+="(?:[^"\\]|\\.)*")*)\s*\]')
_SD_PARAM = re.compile(r'([^\s=\]]+)="((?:[^"\\]|\\.)*)"')
_BSD_DATE = r"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d"
_ISO_DATE = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)"
_RFC3164 = re.compile(
    r"(?:<(\d{1,3})>)?(" + _BSD_DATE + "|" + _ISO_DATE + r") (\S+) "
    r"([^\s:\[]+)(?:\[(\w+)\])?: ?(.*)",
    re.S,
)


def _pri(pri: str | None) -> tuple[str | None, dict[str, Any]]:
    if pri is None:
        return None, {}
    value = int(pri)
    if value > 191:
        raise ValueError(f"syslog PRI {value} out of range")
    return _SEVERITY[value % 8], {"facility": value // 8}


def parse_syslog5424(line: str) -> ParsedLine:
    m = _RFC5424.fullmatch(line)
    if not m:
        raise MalformedLine("not a valid RFC 5424 syslog line", line)
    pri, _version, when, host, app, procid, msgid, sd, msg = m.groups()
    try:
        level, attrs = _pri(pri)
    except ValueError as exc:
        raise MalformedLine(str(exc), line) from exc
    ts = None if when == "-" else parse_ts(when)
    if when != "-" and ts is None:
        raise MalformedLine(f"bad RFC 5424 timestamp {when!r}", line)
    if procid != "-":
        attrs["procid"] = procid
    if msgid != "-":
        attrs["msgid"] = msgid
    if sd != "-":
        attrs["sd"] = {
            sd_id: {k: v.replace('\\"', '"') for k, v in _SD_PARAM.findall(params)}
            for sd_id, params in _SD_ELEMENT.findall(sd)
        }
    msg = (msg or "").removeprefix("\ufeff")
    request_id = None
    for params in attrs.get("sd", {}).values():
        request_id = request_id or params.get("request_id")
    return ParsedLine(
        "syslog5424",
        msg,
        line,
        ts=ts,
        level=level,
        service=None if app == "-" else app,
        host=None if host == "-" else host,
        request_id=request_id,
        attrs=attrs,
    )


def parse_syslog3164(line: str, *, now: datetime | None = None) -> ParsedLine:
    m = _RFC3164.fullmatch(line)
    if not m:
        raise MalformedLine("not a valid RFC 3164 syslog line", line)
    pri, when, host, tag, pid, msg = m.groups()
    try:
        level, attrs = _pri(pri)
    except ValueError as exc:
        raise MalformedLine(str(exc), line) from exc
    ts = _bsd_ts(when, now) if when[0].isalpha() else parse_ts(when)
    if ts is None:
        raise MalformedLine(f"bad RFC 3164 timestamp {when!r}", line)
    if pid:
        attrs["pid"] = pid
    return ParsedLine(
        "syslog3164", msg, line, ts=ts, level=level, service=tag, host=host, attrs=attrs
    )


# -- free text -----------------------------------------------------------------------------
_LEAD_TS = re.compile(
    r"\[?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?)\]?\s*"
)
_LEVEL_WORD = re.compile(
    r"\b(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|SEVERE|FATAL|CRITICAL|CRIT|PANIC)\b",
    re.I,
)


def parse_text(line: str) -> ParsedLine:
    """Free text: an optional leading ISO timestamp and a level word near the start."""
    ts = None
    m = _LEAD_TS.match(line)
    if m:
        ts = parse_ts(m.group(1))
    level_m = _LEVEL_WORD.search(line, 0, 120)
    level = level_m.group(1) if level_m and (level_m.group(1).isupper()) else None
    return ParsedLine("text", line, line, ts=ts, level=level)


# -- detection -----------------------------------------------------------------------------
_PARSERS = {
    "json": parse_json,
    "logfmt": parse_logfmt,
    "combined": parse_combined,
    "syslog5424": parse_syslog5424,
    "syslog3164": parse_syslog3164,
    "text": parse_text,
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ACCESS_HINT = re.compile(r"\S+ \S+ \S+ \[\d\d/[A-Z][a-z]{2}/\d{4}:")
_LOGFMT_HINT = re.compile(r"[\w.\-/@]+=")


def detect_format(line: str) -> str:
    """The format a line announces by its first bytes."""
    if line.startswith("{"):
        return "json"
    if line.startswith("<"):
        return "syslog5424" if re.match(r"<\d{1,3}>\d{1,2} ", line) else "syslog3164"
    if _ACCESS_HINT.match(line):
        return "combined"
    if _RFC3164.fullmatch(line) and not line[:1].isdigit():
        return "syslog3164"
    if _LOGFMT_HINT.match(line) and _LOGFMT_LINE.fullmatch(line):
        return "logfmt"
    return "text"


def parse_line(line: str, fmt: str = "auto") -> ParsedLine:
    """Parse one line (trailing newline stripped); raises ``MalformedLine`` with a reason."""
    line = line.rstrip("\r\n")
    if fmt not in _PARSERS and fmt != "auto":
        raise ValueError(f"unknown log format {fmt!r}; known: {', '.join(FORMATS)}")
    if len(line.encode("utf-8", "surrogatepass")) > MAX_LINE_BYTES:
        raise MalformedLine(f"line longer than {MAX_LINE_BYTES} bytes", line[:MAX_LINE_BYTES])
    if "\ufffd" in line:
        raise MalformedLine("invalid UTF-8", line)
    if _CONTROL.search(line):
        raise MalformedLine("control characters in line (binary data?)", line)
    if not line.strip():
        raise MalformedLine("empty line", line)
    chosen = detect_format(line) if fmt == "auto" else fmt
    return _PARSERS[chosen](line)
