"""The processing step every collector shares: parse, enrich, attach a template, and hand the
rows (and the malformed lines, with their reason) to the emitter.

Templates are attached here, at processing time, by an online miner (the logging service's, or
the process-wide default): Drain-class mining is online by design, and a template id on every
stored row lets search, SQL and the alert rules use it without a join. The id is a hash of the
template text, not the miner's cluster number, so collectors in different processes (and
restarts) agree on it.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from warehouse.emitter import Emitter
from warehouse.logs.enrich import iso, to_row
from warehouse.logs.headers import strip_header
from warehouse.logs.mining import TemplateMiner
from warehouse.logs.parsers import MalformedLine, from_mapping, parse_line
from warehouse.logs.table import LOGS_TABLE
from warehouse.quarantine import QUARANTINE_TABLE


def template_id_of(template: str) -> str:
    """A stable id for a template text (same text, same id, in every process)."""
    return hashlib.blake2b(template.encode(), digest_size=8).hexdigest()


class Templater:
    """Thread-safe wrapper around the template miner (``warehouse.logs.mining``).

    A long-running collector starts a fresh miner every ``renew_after`` messages so that its
    memory stays bounded; ids are content hashes, so templates keep their ids across renewals.
    """

    def __init__(self, miner: Any | None = None, *, renew_after: int = 2_000_000) -> None:
        self._own = miner is None
        self.miner = miner if miner is not None else self._new_miner()
        self.renew_after = renew_after
        self._seen = 0
        self._lock = threading.Lock()

    @staticmethod
    def _new_miner() -> Any:
        return TemplateMiner()

    def __call__(self, message: str) -> tuple[str, str]:
        with self._lock:
            self._seen += 1
            if self._own and self._seen > self.renew_after:
                self.miner, self._seen = self._new_miner(), 0
            template = _template_text(self.miner, message)
        return template_id_of(template), template


def _template_text(miner: Any, message: str) -> str:
    """The template the miner assigns to ``message``, whatever its result shape."""
    result = miner.add(message)
    if isinstance(result, str):
        return result
    if isinstance(result, tuple):
        return str(result[-1])
    return str(getattr(result, "template", result))


def _mining_text(parsed: Any) -> str:
    """Free-text lines still carry their header (time, level, pid): mine the message only."""
    if parsed.format != "text":
        return parsed.message
    return strip_header(parsed.message) or parsed.message


_default_lock = threading.Lock()
_default_templater: Templater | None = None


def default_templater() -> Templater:
    """The process-wide templater."""
    global _default_templater
    with _default_lock:
        if _default_templater is None:
            _default_templater = Templater()
        return _default_templater


@dataclass
class ProcessResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    quarantined: list[dict[str, Any]] = field(default_factory=list)
    blank: int = 0

    def extend(self, other: ProcessResult) -> None:
        self.rows += other.rows
        self.quarantined += other.quarantined
        self.blank += other.blank


def quarantine_row(reason: str, raw: str) -> dict[str, Any]:
    return {"ts": iso(datetime.now(UTC)), "table_name": LOGS_TABLE, "reason": reason, "raw": raw}


class LogProcessor:
    """Parse + enrich + template. ``service``/``host`` are defaults for lines that lack them."""

    def __init__(
        self,
        *,
        service: str | None = None,
        host: str | None = None,
        fmt: str = "auto",
        templater: Templater | None | bool = True,
    ) -> None:
        self.service = service
        self.host = host
        self.fmt = fmt
        self.templater = default_templater() if templater is True else (templater or None)

    def _row(self, parsed, received: datetime, service: str | None) -> dict[str, Any]:
        template = None
        if self.templater and parsed.message:
            template = self.templater(_mining_text(parsed))
        return to_row(
            parsed,
            service=service or self.service,
            host=self.host,
            received=received,
            template=template,
        )

    def process_lines(
        self, lines: Iterable[str], *, fmt: str | None = None, service: str | None = None
    ) -> ProcessResult:
        """Raw lines; blank lines are counted, malformed ones quarantined with the reason."""
        out = ProcessResult()
        received = datetime.now(UTC)
        for line in lines:
            if not line.strip():
                out.blank += 1
                continue
            try:
                parsed = parse_line(line, fmt or self.fmt)
            except MalformedLine as exc:
                out.quarantined.append(quarantine_row(exc.reason, exc.raw))
                continue
            out.rows.append(self._row(parsed, received, service))
        return out

    def process_records(self, items: Iterable[Any], *, service: str | None = None) -> ProcessResult:
        """Items of a JSON batch: objects are structured records, strings are raw lines."""
        out = ProcessResult()
        received = datetime.now(UTC)
        for item in items:
            if isinstance(item, str):
                out.extend(self.process_lines([item], service=service))
            elif isinstance(item, dict):
                raw = orjson.dumps(item, default=str).decode()
                out.rows.append(self._row(from_mapping(item, raw, "json"), received, service))
            else:
                raw = orjson.dumps(item, default=str).decode()
                reason = f"batch item is a {type(item).__name__}, not an object or a string"
                out.quarantined.append(quarantine_row(reason, raw))
        return out


def ship(emitter: Emitter, result: ProcessResult) -> int:
    """Spool the rows and the quarantined lines durably; returns how many rows were accepted."""
    if result.rows:
        emitter.append_rows(LOGS_TABLE, result.rows)
    if result.quarantined:
        emitter.append_rows(QUARANTINE_TABLE, result.quarantined)
    return len(result.rows)
