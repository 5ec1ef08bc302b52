"""Full-text search over log messages and guarded read-only SQL, both through DuckDB.

Search is a scan, not an index: DuckDB's ``fts`` extension must be downloaded (impossible
offline), and a side index would have to be kept in step with ingestion, compaction and
retention. Instead every term must occur in the message (case-insensitive), and rows are
ranked by BM25 computed in SQL (term counts from string lengths, IDF over the matching rows);
the ``service``/``since`` filters prune Hive partitions, so the scan stays small.

Read-only SQL: exactly one statement, of type SELECT, on a connection whose file access is
limited to the lake directory and locked, with a row cap and a time limit.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from warehouse.lake import Lake
from warehouse.logs.parsers import parse_ts
from warehouse.logs.table import LOGS_TABLE

MAX_TERMS = 8
_TERM = re.compile(r'"([^"]+)"|(\S+)')
_RELATIVE = re.compile(r"(\d+)\s*([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
SEARCH_COLUMNS = (
    "ts",
    "service",
    "host",
    "level",
    "logger",
    "message",
    "template_id",
    "request_id",
)


class QueryError(ValueError):
    """A query the caller must fix (bad syntax, not read-only, bad filter)."""


def parse_since(value: str | None, *, now: datetime | None = None) -> datetime | None:
    """``15m``/``2h``/``7d`` relative to now, or an ISO-8601 time."""
    if not value:
        return None
    m = _RELATIVE.fullmatch(value.strip())
    if m:
        delta = timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
        return (now or datetime.now(UTC)) - delta
    ts = parse_ts(value)
    if ts is None:
        raise QueryError(f"since={value!r} is neither a duration like 15m/2h/7d nor ISO-8601")
    return ts


def terms_of(q: str) -> list[str]:
    """Lower-cased terms; ``"quoted phrases"`` stay whole."""
    terms = [(a or b).lower() for a, b in _TERM.findall(q or "")]
    terms = [t for t in dict.fromkeys(terms) if t.strip()]
    if len(terms) > MAX_TERMS:
        raise QueryError(f"at most {MAX_TERMS} search terms")
    return terms


@dataclass
class SearchQuery:
    q: str = ""
    service: str | None = None
    level: str | None = None
    since: str | None = None
    until: str | None = None
    limit: int = 50


def logs_scan(lake: Lake, where: list[str]) -> str:
    """The ``logs`` rows matching ``where``, de-duplicated on ``(source, seq)``.

    Filters sit before the de-duplication window so DuckDB prunes Hive partitions
    (``service``, ``date``) and pushes predicates into the Parquet scan.
    """
    cond = " AND ".join(where) if where else "TRUE"
    return (
        f"(SELECT * FROM {lake.scan(LOGS_TABLE)} WHERE {cond} "
        "QUALIFY row_number() OVER (PARTITION BY source, seq) = 1)"
    )


def run_sql(lake: Lake, sql: str, params: list[object]) -> pl.DataFrame:
    """One short-lived in-memory DuckDB session on ``lake`` (its key added when it is
    encrypted), result as polars."""
    with lake.session() as con:
        return con.sql(sql, params=params).pl()


def search(lake: Lake, query: SearchQuery, *, now: datetime | None = None) -> pl.DataFrame:
    """Matching log rows, best first (then newest first); ``since``/``until`` durations count
    back from ``now`` (default: the current time)."""
    if LOGS_TABLE not in lake.tables():
        return pl.DataFrame(schema={c: pl.String() for c in SEARCH_COLUMNS} | {"score": pl.Float64})
    terms = terms_of(query.q)
    params: list[object] = []
    where: list[str] = []
    if query.service:
        where.append("service = ?")
        params.append(query.service)
    if query.level:
        where.append("level = ?")
        params.append(query.level.lower())
    for op, value in ((">=", query.since), ("<", query.until)):
        ts = parse_since(value, now=now)
        if ts is not None:
            where.append(f"ts {op} ?::TIMESTAMPTZ")
            params.append(ts.isoformat())
            if op == ">=":  # lets DuckDB skip whole date directories
                where.append("date >= ?::DATE")
                params.append(ts.strftime("%Y-%m-%d"))
    cols = ", ".join(SEARCH_COLUMNS)
    scope = (
        f"SELECT {cols}, lower(message) AS lm, length(message) AS len FROM {logs_scan(lake, where)}"
    )
    if not terms:
        sql = f"SELECT {cols}, 0.0 AS score FROM ({scope}) ORDER BY ts DESC LIMIT ?"
        all_params = params + [int(query.limit)]
    else:
        # BM25: document frequencies over the whole filtered scope, term frequencies from
        # string lengths (exact substring counts, no regex), every term required.
        dfs = ", ".join(
            f"count(*) FILTER (WHERE contains(lm, ?)) AS df{i}" for i in range(len(terms))
        )
        tfs = ", ".join(
            f"(len - length(replace(lm, ?, ''))) // {len(t)} AS tf{i}" for i, t in enumerate(terms)
        )
        must = " AND ".join("contains(lm, ?)" for _ in terms)
        score = " + ".join(
            f"ln(1 + (n - df{i} + 0.5) / (df{i} + 0.5)) * tf{i} * 2.2 / "
            f"(tf{i} + 1.2 * (0.25 + 0.75 * len / avglen))"
            for i in range(len(terms))
        )
        sql = f"""
        WITH scope AS ({scope}),
        stats AS (SELECT count(*) AS n, avg(len) AS avglen, {dfs} FROM scope),
        hits AS (SELECT *, {tfs} FROM scope WHERE {must})
        SELECT {cols}, {score} AS score FROM hits, stats
        ORDER BY score DESC, ts DESC LIMIT ?
        """
        all_params = params + terms + terms + terms + [int(query.limit)]
    try:
        return run_sql(lake, sql, all_params)
    except duckdb.Error as exc:
        raise QueryError(str(exc)) from exc


def readonly_query(
    lake: Lake, sql: str, *, max_rows: int = 10_000, timeout_s: float = 20.0
) -> pl.DataFrame:
    """Run one SELECT over the lake with file access locked to the lake directory."""
    with duckdb.connect(":memory:") as con:
        try:
            statements = con.extract_statements(sql)
        except duckdb.Error as exc:
            raise QueryError(f"SQL does not parse: {exc}") from exc
        if len(statements) != 1:
            raise QueryError("send exactly one SQL statement")
        try:
            kind = statements[0].type.name
        except ValueError:  # a statement kind this DuckDB's Python enum does not name
            kind = "an unnamed statement kind"
        if kind != duckdb.StatementType.SELECT.name:
            raise QueryError(f"only SELECT is allowed (got {kind})")
        lake.register_views(con)
        root = str(Path(lake.root).resolve())
        con.execute(f"SET allowed_directories=['{root}/', '{lake.root}/']")
        con.execute("SET enable_external_access=false")
        con.execute("SET lock_configuration=true")
        timer = threading.Timer(timeout_s, con.interrupt)
        timer.start()
        try:
            body = sql.strip().rstrip(";")
            return con.sql(f"SELECT * FROM ({body}\n) AS q LIMIT {int(max_rows)}").pl()
        except duckdb.InterruptException as exc:
            raise QueryError(f"query took longer than {timeout_s:.0f} s") from exc
        except duckdb.Error as exc:
            raise QueryError(str(exc)) from exc
        finally:
            timer.cancel()
