"""The logging system's API: batch ingest, full-text search and read-only SQL.

Its ``startup`` hook asks the service to ship the serving app's own structured logs (access
logs included) into the logging system it serves; the service stops that when it is closed.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from services.auth import Principal
from services.deps import require_roles, system_service
from services.logs.service import LogsService
from services.logs.settings import LogsSettings
from warehouse.logs.enrich import LEVELS
from warehouse.logs.parsers import FORMATS

router = APIRouter(prefix="/logs", tags=["logs"])
# Read once, when the app is assembled: the platform's middleware caps bodies before any route.
BODY_LIMITS = {"/logs": LogsSettings().max_body_bytes}

LogsDep = Annotated[LogsService, system_service("logs")]
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
    max_rows: int = Field(1000, ge=1, description="capped by the service's settings")


class SqlResult(BaseModel):
    columns: list[str]
    rows: list[list[Any]]


@router.post("", response_model=IngestResult, status_code=202, operation_id="ingest_logs")
async def ingest_logs(
    request: Request,
    svc: LogsDep,
    _: ServiceUser,
    service: Annotated[str | None, Query(max_length=100)] = None,
    format: Annotated[str, Query(description=f"for text lines: {', '.join(FORMATS)}")] = "auto",
) -> IngestResult:
    """Ingest a batch: a JSON array of records (objects, or strings holding raw lines),
    NDJSON, or ``text/plain`` lines. Durable on return; malformed lines are quarantined."""
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    report = await run_in_threadpool(
        svc.ingest_body, body, content_type, service=service, fmt=format
    )
    return IngestResult(
        accepted=report.accepted, quarantined=report.quarantined, blank=report.blank
    )


@router.get("/search", response_model=SearchResult, operation_id="search_logs")
def search_logs(
    svc: LogsDep,
    caller: ServiceUser,
    q: Annotated[str, Query(max_length=500, description='terms; "quoted phrase"')] = "",
    service: Annotated[str | None, Query(max_length=100)] = None,
    level: Annotated[str | None, Query(description=f"one of {', '.join(LEVELS)}")] = None,
    since: Annotated[str | None, Query(description="15m, 2h, 7d or ISO-8601")] = None,
    until: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, description="capped by the service's settings")] = 50,
) -> SearchResult:
    """Full-text search over log messages, ranked by BM25, newest first on ties."""
    df = svc.search(
        q,
        service=service,
        level=level,
        since=since,
        until=until,
        limit=limit,
        principal=caller.user_id,
    )
    hits = [
        LogHit(**{**row, "ts": str(row["ts"]), "score": float(row["score"] or 0.0)})
        for row in df.to_dicts()
    ]
    return SearchResult(count=len(hits), hits=hits)


@router.post("/query", response_model=SqlResult, operation_id="query_logs")
def query_logs(body: SqlRequest, svc: LogsDep, caller: ServiceUser) -> SqlResult:
    """Read-only DuckDB SQL over the lake (one SELECT; file access limited to the lake)."""
    df = svc.query(body.sql, max_rows=body.max_rows, principal=caller.user_id)
    rows = orjson.loads(orjson.dumps(df.rows(), default=str))
    return SqlResult(columns=df.columns, rows=rows)


async def startup(app: FastAPI) -> None:
    """HTTP wiring only: the service built by the app ships the app's own logs."""
    app.state.services["logs"].ship_app_logs()
