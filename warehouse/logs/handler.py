"""A ``logging.Handler`` that ships records to the lake through the emitter.

``emit`` only converts the record and appends it to a bounded buffer, so the caller never waits
on disk; a background thread wakes every ``flush_interval_s`` (or as soon as a batch is full),
batches records and calls ``emitter.append_rows("logs", ...)`` (durable on return). Appending
does not wake the thread per record: on a busy server that hand-off, not the work, was the
cost. When the queue is full the record is counted, and the next batch carries
a warning row saying how many were lost, so loss is never silent. ``SpoolFull`` is retried with
backoff. ``flush`` waits for everything queued so far; ``close`` flushes and stops the thread.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any

import orjson

from warehouse.emitter import Emitter
from warehouse.logs.enrich import iso, normalize_level
from warehouse.logs.process import Templater, default_templater
from warehouse.logs.table import LOGS_TABLE
from warehouse.spool import SpoolFull

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class SpoolHandler(logging.Handler):
    """Batches log records into the ``logs`` table. Thread-safe, non-blocking for callers."""

    def __init__(
        self,
        emitter: Emitter,
        *,
        service: str = "app",
        host: str | None = None,
        batch_size: int = 500,
        flush_interval_s: float = 0.5,
        max_queue: int = 10_000,
        templater: Templater | None | bool = True,
        level: int = logging.NOTSET,
    ) -> None:
        super().__init__(level)
        self.emitter = emitter
        self.service = service
        self.host = host or socket.gethostname()
        self.batch_size = batch_size
        self.flush_interval_s = flush_interval_s
        self.templater = default_templater() if templater is True else (templater or None)
        self.max_queue = max_queue
        self._buffer: deque[dict[str, Any]] = deque()
        self._wake = threading.Event()
        self.dropped = 0
        self.shipped = 0
        self.untemplated = 0  # rows stored without a template because the miner failed
        self._reported_dropped = 0
        self._pending = 0
        self._idle = threading.Condition()
        self._closed = False
        self._giving_up = threading.Event()  # set by close(): stop retrying a full spool
        self._thread = threading.Thread(target=self._run, name="spool-log-handler", daemon=True)
        self._thread.start()

    # -- caller side -----------------------------------------------------------------------
    def emit(self, record: logging.LogRecord) -> None:
        if self._closed or threading.current_thread() is self._thread:
            return  # never log about shipping logs from the shipping thread itself
        try:
            row = self._row(record)
        except Exception:  # noqa: BLE001 - a bad record must not break the caller
            self.handleError(record)
            return
        with self._idle:
            if len(self._buffer) >= self.max_queue:
                self.dropped += 1
                return
            self._pending += 1
            self._buffer.append(row)
            full = len(self._buffer) >= self.batch_size
        if full:
            self._wake.set()

    def _row(self, record: logging.LogRecord) -> dict[str, Any]:
        extras = {k: v for k, v in record.__dict__.items() if k not in _STANDARD}
        message = record.getMessage()
        if record.exc_info and record.exc_info[0] is not None:
            extras["exc_text"] = logging.Formatter().formatException(record.exc_info)
        request_id = extras.get("request_id")
        return {
            "ts": iso(datetime.fromtimestamp(record.created, UTC)),
            "service": str(extras.pop("service", self.service)),
            "host": self.host,
            "level": normalize_level(record.levelname),
            "logger": record.name,
            "message": message,
            "template_id": None,
            "template": None,
            "format": "python",
            "raw": message,
            "request_id": None if request_id is None else str(request_id),
            "attrs": orjson.dumps(extras, default=str).decode() if extras else None,
        }

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every record queued before this call is durable. True if it finished."""
        deadline = time.monotonic() + timeout
        self._wake.set()
        with self._idle:
            while self._pending > 0 and self._thread.is_alive():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(min(left, 0.1))
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Flush, then stop. Records a full spool still refuses after ``timeout`` are counted
        in ``dropped`` (the caller may be shutting down; it must not hang)."""
        if not self._closed:
            self.flush(timeout)
            self._closed = True
            self._giving_up.set()
            self._wake.set()
            self._thread.join(timeout=timeout)
        super().close()

    # -- shipping thread ---------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            self._wake.wait(self.flush_interval_s)
            self._wake.clear()
            while True:
                with self._idle:
                    n = min(len(self._buffer), self.batch_size)
                    batch = [self._buffer.popleft() for _ in range(n)]
                if batch:
                    self._ship(batch)
                    continue
                if self.dropped > self._reported_dropped:
                    self._ship([])  # a row saying how many were lost
                break
            if self._closed:
                return

    def _ship(self, batch: list[dict[str, Any]]) -> None:
        rows = list(batch)
        if self.templater:
            for row in rows:
                if row["message"]:
                    try:
                        row["template_id"], row["template"] = self.templater(row["message"])
                    except Exception:  # noqa: BLE001 - a miner fault must not stop shipping
                        self.untemplated += 1  # the row is stored, without a template
        lost = self.dropped - self._reported_dropped
        if lost:
            rows.append(self._lost_row(lost))
        delay = 0.05
        while True:
            try:
                self.emitter.append_rows(LOGS_TABLE, rows)
                break
            except SpoolFull as exc:
                if self._giving_up.wait(min(delay, exc.retry_after_s)):
                    self._lose(batch)
                    return
                delay = min(delay * 2, 2.0)
            except Exception:  # noqa: BLE001 - emitter closed or broken: count the batch lost
                self._lose(batch)
                return
        with self._idle:
            self._reported_dropped += lost
            self.shipped += len(batch)
            self._pending -= len(batch)
            self._idle.notify_all()

    def _lose(self, batch: list[dict[str, Any]]) -> None:
        with self._idle:
            self.dropped += len(batch)
            self._pending -= len(batch)
            self._idle.notify_all()

    def _lost_row(self, lost: int) -> dict[str, Any]:
        message = f"{lost} log records dropped: handler queue full"
        return {
            "ts": iso(datetime.now(UTC)),
            "service": self.service,
            "host": self.host,
            "level": "warning",
            "logger": "blueprint.logs.handler",
            "message": message,
            "template_id": None,
            "template": None,
            "format": "python",
            "raw": message,
            "request_id": None,
            "attrs": orjson.dumps({"dropped": lost}).decode(),
        }
