"""The logging system's API: batch ingest, full-text search and read-only SQL.

Its ``startup`` hook also installs the spool log handler on the ``blueprint`` loggers, so the
serving app's own structured access logs flow into the logging system it serves.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from services.auth import Principal
from services.deps import EmitterDep, SettingsDep, require_roles
from warehouse.lake import Lake
from warehouse.logs.enrich import LEVELS
from warehouse.logs.handler import SpoolHandler
from warehouse.logs.parsers import FORMATS
from warehouse.logs.process import LogProcessor, ship
from warehouse.logs.search import QueryError, SearchQuery, readonly_query, search

router = APIRouter(prefix="/logs", tags=["logs"])
BODY_LIMITS = {"/logs": 8 * 1024 * 1024}
MAX_BATCH = 50_000
LOG_LOGGERS = ("blueprint",)

ServiceUser = Annotated[Principal, require_roles("service")]


class IngestResult(BaseModel):
    accepted: int = Field(description="rows stored durably in the logs table")
    quarantined: int = Field(description="malformed lines stored in quarantine with a reason")
    blank: int = Field(0, description="blank lines skipped")


class LogHit(BaseModel):
    ts: str
    service: str | None
    host: str | None
    level: str | None
    logger: str | None
    message: str | None
    template_id: str | None
    request_id: str | None
    score: float


class SearchResult(BaseModel):
    count: int
    hits: list[LogHit]


class SqlRequest(BaseModel):
    sql: str = Field(min_length=1, max_length=20_000)
    max_rows: int = Field(1000, ge=1, le=10_000)


class SqlResult(BaseModel):
    columns: list[str]
    rows: list[list[Any]]


def _decode_batch(body: bytes, content_type: str) -> tuple[list[Any], str]:
    """A JSON array (or one object), NDJSON, or plain text lines -> items and their kind."""
    if content_type.startswith("text/plain"):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HTTPException(400, f"body is not UTF-8: {exc}") from exc
        return text.splitlines(), "lines"
    stripped = body.lstrip()
    if not stripped:
        raise HTTPException(400, "empty body: send a JSON array, NDJSON or text lines")
    ndjson = "ndjson" in content_type or "jsonlines" in content_type
    if not ndjson and stripped[:1] == b"[":
        try:
            items = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise HTTPException(400, f"request body is not valid JSON: {exc}") from exc
        return items, "json"
    if not ndjson:
        try:
            return [orjson.loads(body)], "json"
        except orjson.JSONDecodeError:
            pass  # more than one document: NDJSON
    items = []
    for number, line in enumerate(body.split(b"\n"), start=1):
        if line.strip():
            try:
                items.append(orjson.loads(line))
            except orjson.JSONDecodeError as exc:
                raise HTTPException(400, f"NDJSON line {number} is not valid JSON: {exc}") from exc
    return items, "json"


@router.post("", response_model=IngestResult, status_code=202, operation_id="ingest_logs")
async def ingest_logs(
    request: Request,
    _: ServiceUser,
    emitter: EmitterDep,
    service: Annotated[str | None, Query(max_length=100)] = None,
    format: Annotated[str, Query(description=f"for text lines: {', '.join(FORMATS)}")] = "auto",
) -> IngestResult:
    """Ingest a batch: a JSON array of records (objects, or strings holding raw lines),
    NDJSON, or ``text/plain`` lines. Durable on return; malformed lines are quarantined."""
    if format not in FORMATS:
        raise HTTPException(422, f"format must be one of {', '.join(FORMATS)}")
    body = await request.body()
    items, kind = _decode_batch(body, request.headers.get("content-type", ""))
    if not isinstance(items, list):
        raise HTTPException(422, "a JSON body must be an array of log records or one object")
    if len(items) > MAX_BATCH:
        raise HTTPException(413, f"at most {MAX_BATCH} records per batch")
    processor = LogProcessor(service=service, fmt=format)

    def work() -> IngestResult:
        if kind == "lines":
            result = processor.process_lines(items)
        else:
            result = processor.process_records(items)
        accepted = ship(emitter, result)
        return IngestResult(
            accepted=accepted, quarantined=len(result.quarantined), blank=result.blank
        )

    return await run_in_threadpool(work)


@router.get("/search", response_model=SearchResult, operation_id="search_logs")
def search_logs(
    _: ServiceUser,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=500, description='terms; "quoted phrase"')] = "",
    service: Annotated[str | None, Query(max_length=100)] = None,
    level: Annotated[str | None, Query(description=f"one of {', '.join(LEVELS)}")] = None,
    since: Annotated[str | None, Query(description="15m, 2h, 7d or ISO-8601")] = None,
    until: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> SearchResult:
    """Full-text search over log messages, ranked by BM25, newest first on ties."""
    if level is not None and level.lower() not in LEVELS:
        raise HTTPException(422, f"level must be one of {', '.join(LEVELS)}")
    query = SearchQuery(q=q, service=service, level=level, since=since, until=until, limit=limit)
    try:
        df = search(Lake(settings.lake_dir), query)
    except QueryError as exc:
        raise HTTPException(422, str(exc)) from exc
    hits = [
        LogHit(**{**row, "ts": str(row["ts"]), "score": float(row["score"] or 0.0)})
        for row in df.to_dicts()
    ]
    return SearchResult(count=len(hits), hits=hits)


@router.post("/query", response_model=SqlResult, operation_id="query_logs")
def query_logs(body: SqlRequest, _: ServiceUser, settings: SettingsDep) -> SqlResult:
    """Read-only DuckDB SQL over the lake (one SELECT; file access limited to the lake)."""
    try:
        df = readonly_query(Lake(settings.lake_dir), body.sql, max_rows=body.max_rows)
    except QueryError as exc:
        raise HTTPException(400, str(exc)) from exc
    rows = orjson.loads(orjson.dumps(df.rows(), default=str))
    return SqlResult(columns=df.columns, rows=rows)


async def startup(app: FastAPI) -> None:
    """Ship the app's own logs (``blueprint.*``, access logs included) into the logs table."""
    handler = SpoolHandler(app.state.emitter, service="api", level=logging.INFO)
    saved = []
    for name in LOG_LOGGERS + ("blueprint.access",):
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
        # blueprint.access propagates to blueprint; attach there only if it does not.
        if name in LOG_LOGGERS or not logger.propagate:
            logger.addHandler(handler)
    app.state.logs_handler = handler
    app.state.logs_saved_levels = saved


async def shutdown(app: FastAPI) -> None:
    handler: SpoolHandler | None = getattr(app.state, "logs_handler", None)
    if handler is None:
        return
    for logger, level in getattr(app.state, "logs_saved_levels", []):
        logger.removeHandler(handler)
        logger.setLevel(level)
    await run_in_threadpool(handler.close)
    app.state.logs_handler = None
