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
    "ts", "service", "host", "level", "logger", "message", "template_id", "request_id",
)  # fmt: skip


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


def search(lake: Lake, query: SearchQuery) -> pl.DataFrame:
    """Matching log rows, best first (then newest first)."""
    if LOGS_TABLE not in lake.tables():
        return pl.DataFrame(schema={c: pl.String() for c in SEARCH_COLUMNS} | {"score": pl.Float64})
    terms = terms_of(query.q)
    params: list[object] = []
    where = ["TRUE"]
    if query.service:
        where.append("service = ?")
        params.append(query.service)
    if query.level:
        where.append("level = ?")
        params.append(query.level.lower())
    for op, value in ((">=", query.since), ("<", query.until)):
        ts = parse_since(value)
        if ts is not None:
            where.append(f"ts {op} ?::TIMESTAMPTZ")
            # The hour partition lets DuckDB skip whole directories.
            where.append(f"date {op if op == '<' else '>='} ?")
            params += [ts.isoformat(), ts.strftime("%Y-%m-%d") if op == ">=" else "9999-12-31"]
    tf_exprs = []
    for term in terms:
        where.append("contains(lower(message), ?)")
        params.append(term)
    # Term frequencies from string lengths: cheap, no regex, exact substring counts.
    for i, term in enumerate(terms):
        tf_exprs.append(
            f"(length(lower(message)) - length(replace(lower(message), ?, ''))) "
            f"// {len(term)} AS tf{i}"
        )
    tf_params = list(terms)
    select_cols = ", ".join(SEARCH_COLUMNS)
    if terms:
        score = " + ".join(
            f"ln(1 + (n - df{i} + 0.5) / (df{i} + 0.5)) * tf{i} * 2.2 / "
            f"(tf{i} + 1.2 * (0.25 + 0.75 * len / avglen))"
            for i in range(len(terms))
        )
        dfs = ", ".join(
            f"count(*) FILTER (WHERE tf{i} > 0) OVER () AS df{i}" for i in range(len(terms))
        )
        sql = f"""
        WITH hits AS (
            SELECT {select_cols}, length(message) AS len, {", ".join(tf_exprs)}
            FROM {LOGS_TABLE} WHERE {" AND ".join(where)}
        ), stats AS (
            SELECT *, count(*) OVER () AS n, avg(len) OVER () AS avglen, {dfs} FROM hits
        )
        SELECT {select_cols}, {score} AS score FROM stats
        ORDER BY score DESC, ts DESC LIMIT ?
        """
        all_params = tf_params + params + [int(query.limit)]
    else:
        sql = (
            f"SELECT {select_cols}, 0.0 AS score FROM {LOGS_TABLE} "
            f"WHERE {' AND '.join(where)} ORDER BY ts DESC LIMIT ?"
        )
        all_params = params + [int(query.limit)]
    try:
        return lake.query(sql, all_params)
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
        if statements[0].type != duckdb.StatementType.SELECT:
            raise QueryError(f"only SELECT is allowed (got {statements[0].type.name})")
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
