"""The logging system's service: collectors, search and SQL over the lake, alerts, upkeep.

The log domain itself (parsers, the template miner, the handler, the tail agent, alert rules,
compaction) lives in ``warehouse.logs``, the lake's room. This service puts it to work for one
process: it owns the emitter the collectors ship through, one template miner, the lake it
reads, the alert state, the clock, and the handler that ships the platform's own logs. It
turns the warehouse's exceptions into domain errors, so callers (the router, the CLI, assets)
see one kind of failure.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from services.errors import DomainError, Invalid, TooLarge, Unavailable
from services.logs.alert_routing import Routed, route
from services.logs.applog import AppLogShipping
from services.logs.batch import decode_batch
from services.logs.errors import QueryRejected
from services.logs.query_cache import QueryCache
from services.logs.settings import LogsSettings
from warehouse.emitter import Emitter
from warehouse.lake import Lake
from warehouse.logs.alerts import (
    Alert,
    AlertRules,
    evaluate,
    fire,
    load_state,
    newest_line_ts,
)
from warehouse.logs.compaction import CompactionReport, apply_retention, compact_lake
from warehouse.logs.enrich import LEVELS
from warehouse.logs.handler import SpoolHandler
from warehouse.logs.parsers import FORMATS
from warehouse.logs.process import LogProcessor, ProcessResult, Templater, quarantine_row, ship
from warehouse.logs.search import QueryError, SearchQuery, readonly_query, search
from warehouse.logs.tail import FileTailer, default_checkpoint_path
from warehouse.spool import SpoolFull

if TYPE_CHECKING:
    from services.notify.service import NotifyService


@dataclass(frozen=True)
class IngestReport:
    accepted: int  # rows stored durably in the logs table
    quarantined: int  # malformed lines stored in quarantine with their reason
    blank: int  # blank lines skipped


@dataclass(frozen=True)
class AlertRun:
    found: list[Alert]  # every alert the rules raise now
    fired: list[Alert]  # those recorded as events by this run (not fired before)
    routed: Routed = Routed()  # what became notifications


class LogsService:
    """Distributed logging for one process. ``close()`` stops shipping the app's own logs."""

    def __init__(
        self,
        lake: Lake,
        emitter: Emitter,
        *,
        data_dir: Path,
        conf: LogsSettings,
        clock: Callable[[], float] = time.time,
        notify: NotifyService | None = None,
    ) -> None:
        self.lake = lake
        self.notify = notify
        self.emitter = emitter
        self.data_dir = Path(data_dir)
        self.conf = conf
        self.clock = clock
        self.templater = Templater(renew_after=conf.templater_renew_after)
        self.query_cache = QueryCache(
            lake.root, ttl_s=conf.query_cache_ttl_s, entries=conf.query_cache_entries
        )
        self._app_logs: AppLogShipping | None = None

    @property
    def state_dir(self) -> Path:
        """Where the service keeps its own state (alert keys, tail checkpoints)."""
        return self.data_dir / "logs"

    @property
    def alert_state_path(self) -> Path:
        return self.state_dir / "alerts_state.json"

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def close(self) -> None:
        """Stop shipping the app's own logs (what is queued is flushed to the emitter first)."""
        if self._app_logs is not None:
            self._app_logs.detach()
            self._app_logs = None

    # -- collectors --------------------------------------------------------------------------
    def processor(
        self, *, service: str | None = None, host: str | None = None, fmt: str = "auto"
    ) -> LogProcessor:
        """Parse + enrich + template with this service's miner; ``fmt`` is for raw lines."""
        if fmt not in FORMATS:
            raise Invalid(f"format must be one of {', '.join(FORMATS)}")
        return LogProcessor(service=service, host=host, fmt=fmt, templater=self.templater)

    def ingest_body(
        self, body: bytes, content_type: str, *, service: str | None = None, fmt: str = "auto"
    ) -> IngestReport:
        """One HTTP batch: a JSON array of records (objects, or strings holding raw lines),
        one JSON object, NDJSON, or ``text/plain`` lines. Durable on return."""
        processor = self.processor(service=service, fmt=fmt)
        if len(body) > self.conf.max_body_bytes:
            raise TooLarge(f"a batch body may hold at most {self.conf.max_body_bytes} bytes")
        batch = decode_batch(body, content_type)
        self._check_batch(len(batch.items))
        if batch.kind == "lines":
            return self._ship(processor.process_lines(batch.items))
        result = processor.process_records(batch.items)
        result.quarantined.extend(quarantine_row(why, raw) for raw, why in batch.unreadable)
        return self._ship(result)

    def ingest_records(self, items: list[Any], *, service: str | None = None) -> IngestReport:
        """Structured records (dicts) and raw lines (strings); anything else is quarantined."""
        self._check_batch(len(items))
        return self._ship(self.processor(service=service).process_records(items))

    def ingest_lines(
        self, lines: list[str], *, service: str | None = None, fmt: str = "auto"
    ) -> IngestReport:
        """Raw lines in ``fmt`` (``auto`` recognises each line's format)."""
        self._check_batch(len(lines))
        return self._ship(self.processor(service=service, fmt=fmt).process_lines(lines))

    def _check_batch(self, n: int) -> None:
        if n > self.conf.max_batch:
            raise TooLarge(f"at most {self.conf.max_batch} records per batch")

    def _ship(self, result: ProcessResult) -> IngestReport:
        try:
            accepted = ship(self.emitter, result)
        except SpoolFull as exc:
            raise Unavailable(
                "event buffer is full; retry shortly",
                headers={"Retry-After": str(exc.retry_after_s)},
            ) from exc
        return IngestReport(accepted, len(result.quarantined), result.blank)

    def handler(self, *, service: str, level: int = logging.NOTSET) -> SpoolHandler:
        """A Python logging handler shipping records as ``service``; the caller closes it."""
        return SpoolHandler(
            self.emitter,
            service=service,
            batch_size=self.conf.handler_batch_size,
            flush_interval_s=self.conf.handler_flush_interval_s,
            max_queue=self.conf.handler_max_queue,
            templater=self.templater,
            level=level,
        )

    def tailer(
        self,
        path: Path,
        *,
        service: str | None = None,
        fmt: str = "auto",
        checkpoint: Path | None = None,
    ) -> FileTailer:
        """The file-tail agent on ``path`` (service defaults to the file's stem), checkpointing
        under the service's state unless told where; the caller polls and closes it."""
        path = Path(path)
        return FileTailer(
            path,
            self.emitter,
            checkpoint or default_checkpoint_path(self.data_dir, path),
            processor=self.processor(service=service or path.stem, fmt=fmt),
            max_bytes=self.conf.tail_max_bytes,
            max_line_bytes=self.conf.tail_max_line_bytes,
        )

    # -- the platform's own logs -------------------------------------------------------------
    def ship_app_logs(self) -> SpoolHandler | None:
        """Ship the app's own logs (``blueprint.*``, access logs included) into the logs
        table until ``close``. Idempotent; None when the settings turn it off."""
        if not self.conf.ship_app_logs:
            return None
        if self._app_logs is None:
            level = logging.getLevelName(self.conf.app_log_level)
            handler = self.handler(service=self.conf.app_log_service, level=level)
            self._app_logs = AppLogShipping(handler, level)
            self._app_logs.attach()
        return self._app_logs.handler

    @property
    def app_log_handler(self) -> SpoolHandler | None:
        """The handler shipping the app's own logs, while it does."""
        return None if self._app_logs is None else self._app_logs.handler

    # -- search and SQL ----------------------------------------------------------------------
    def search(
        self,
        q: str = "",
        *,
        service: str | None = None,
        level: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int = 50,
        principal: str = "local",
    ) -> pl.DataFrame:
        """Full-text search over messages, ranked by BM25, newest first on ties. ``since`` and
        ``until`` take ``15m``/``2h``/``7d`` (back from the service's clock) or ISO-8601.

        Answered from the query cache when asked again soon; audited for ``principal``."""
        if level is not None and level.lower() not in LEVELS:
            raise Invalid(f"level must be one of {', '.join(LEVELS)}")
        if not 1 <= limit <= self.conf.search_max_limit:
            raise Invalid(f"limit must be between 1 and {self.conf.search_max_limit}")
        query = SearchQuery(
            q=q, service=service, level=level, since=since, until=until, limit=limit
        )

        def run() -> pl.DataFrame:
            try:
                return search(self.lake, query, now=self.now())
            except QueryError as exc:
                raise Invalid(str(exc)) from exc

        return self._audited("search", principal, repr(query), ("search", repr(query)), run)

    def query(
        self, sql: str, *, max_rows: int | None = None, principal: str = "local"
    ) -> pl.DataFrame:
        """One read-only SELECT over the lake (file access confined to it), row-capped and
        time-limited by the settings. Cached and audited as ``search`` is."""
        max_rows = self.conf.sql_max_rows if max_rows is None else max_rows
        if not 1 <= max_rows <= self.conf.sql_max_rows:
            raise Invalid(f"max_rows must be between 1 and {self.conf.sql_max_rows}")

        def run() -> pl.DataFrame:
            try:
                return readonly_query(
                    self.lake, sql, max_rows=max_rows, timeout_s=self.conf.sql_timeout_s
                )
            except QueryError as exc:
                raise QueryRejected(str(exc)) from exc

        return self._audited("sql", principal, sql, ("sql", sql, max_rows), run)

    def _audited(
        self,
        kind: str,
        principal: str,
        text: str,
        key: tuple,
        run: Callable[[], pl.DataFrame],
    ) -> pl.DataFrame:
        """Run (or recall) a query and record who asked what and how many rows it returned:
        ``logs/query_audited`` events, the audit table (``logs_events`` in SQL)."""
        started = time.perf_counter()
        attrs: dict[str, Any] = {"kind": kind, "query": text[:4000]}
        try:
            df, cached = self.query_cache.get_or_run(key, run)
        except DomainError as exc:
            attrs.update(rows=None, cached=False, error=str(exc)[:500])
            raise
        else:
            attrs.update(rows=df.height, cached=cached)
            return df
        finally:
            attrs["duration_ms"] = round((time.perf_counter() - started) * 1000, 2)
            self.emitter.emit("logs", "query_audited", actor=principal, entity=kind, attrs=attrs)

    # -- alerts ------------------------------------------------------------------------------
    def alert_rules(self, **overrides: Any) -> AlertRules:
        """The configured rules, with ``overrides`` by ``AlertRules`` field name."""
        try:
            return self.conf.alert_rules(**overrides)
        except TypeError as exc:
            raise Invalid(f"unknown alert rule setting: {exc}") from exc

    def evaluate_alerts(self, rules: AlertRules | None = None) -> list[Alert]:
        """Every rule's alerts at the service's now, recording nothing."""
        return evaluate(self.lake, rules or self.alert_rules(), self.now())

    def fire_alerts(self, alerts: Iterable[Alert]) -> list[Alert]:
        """Record alerts not fired before as ``logs/alert_fired`` events; returns those."""
        return fire(
            self.emitter,
            list(alerts),
            self.alert_state_path,
            keep=timedelta(days=self.conf.alert_state_keep_days),
            now=self.now(),
        )

    def route_alerts(self, fired: list[Alert]) -> Routed:
        """Notify the configured recipients of ``fired`` alerts (``alert_routing``)."""
        if self.notify is None:
            return Routed()
        return route(
            self.notify,
            fired,
            self.conf.alert_recipients,
            quiet=timedelta(minutes=self.conf.alert_quiet_minutes),
            state_path=self.state_dir / "alerts_routed.json",
            now=self.now(),
        )

    def check_alerts(self, rules: AlertRules | None = None, *, record: bool = True) -> AlertRun:
        """Evaluate the rules now and (unless ``record`` is off) fire the new alerts and
        notify the recipients of them."""
        found = self.evaluate_alerts(rules)
        if not record:
            return AlertRun(found, [])
        fired = self.fire_alerts(found)
        return AlertRun(found, fired, self.route_alerts(fired))

    def fired_alerts(self, since: datetime | None = None) -> dict[str, str]:
        """Keys of alerts already fired (still remembered), with when, from ``since`` on."""
        state = load_state(self.alert_state_path)
        if since is None:
            return state
        cutoff = since.isoformat()
        return {key: at for key, at in state.items() if at >= cutoff}

    def minutes_since_newest_line(self) -> float | None:
        """Age of the newest stored line at the service's now: stalled collectors show here."""
        newest = newest_line_ts(self.lake)
        return None if newest is None else (self.now() - newest).total_seconds() / 60

    # -- upkeep ------------------------------------------------------------------------------
    def compact(self, tables: list[str] | None = None) -> CompactionReport:
        """Merge the small Parquet files of every partition (of every spooled table, or of
        ``tables``), de-duplicated on ``(source, seq)``; crash-safe."""
        return compact_lake(
            self.lake.root,
            tables,
            min_files=self.conf.compact_min_files,
            small_file_bytes=self.conf.compact_small_file_bytes,
        )

    def apply_retention(
        self, days: int | None = None, tables: list[str] | None = None
    ) -> dict[str, int]:
        """Drop ``date=`` partitions older than ``days`` (default: the setting) of ``tables``
        (default: the opted-in tables); returns partitions dropped per table."""
        days = self.conf.retention_days if days is None else days
        if days < 0:
            raise Invalid("retention days must be >= 0")
        today: date = self.now().date()
        return apply_retention(
            self.lake.root,
            days,
            tables=list(self.conf.retention_tables) if tables is None else tables,
            today=today,
        )
