"""One day of the ``logs`` table: what the daily assets report and what their checks guard.

Every function reads exactly the files of that day (``logs/service=*/date=<day>/hour=*``), so
a check on a day's partition says nothing about other days. Summaries read the rows once each,
de-duplicated on ``(source, seq)`` as the lake's views are; the duplicate count reads the files
as they are, which is what exactly-once storage must keep at zero.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from warehouse.lake import Lake
from warehouse.logs.search import run_sql
from warehouse.logs.table import LOGS, LOGS_TABLE
from warehouse.quarantine import QUARANTINE_TABLE

TEMPLATES_TABLE = "log_templates"
PARTITION_COLUMNS = ("service", "date", "hour")
TEMPLATE_COLUMNS: dict[str, pl.DataType] = {
    "service": pl.String(),
    "template_id": pl.String(),
    "template": pl.String(),
    "lines": pl.Int64(),
    "first_seen": pl.Datetime("us", "UTC"),
    "last_seen": pl.Datetime("us", "UTC"),
    "errors": pl.Int64(),
}


def _day(day: str | date) -> str:
    """The day as ``YYYY-MM-DD``; anything else is refused (it becomes part of a path)."""
    return (day if isinstance(day, date) else date.fromisoformat(day)).isoformat()


def has_day(lake: Lake, day: str | date) -> bool:
    """Whether any log file of ``day`` exists."""
    return lake.has_files(LOGS_TABLE, f"*/date={_day(day)}/*/*")


def _files(lake: Lake, day: str | date) -> str:
    return lake.scan(LOGS_TABLE, f"*/date={_day(day)}/*/*")


def _rows(lake: Lake, day: str | date) -> str:
    dedupe = "QUALIFY row_number() OVER (PARTITION BY source, seq) = 1"
    return f"(SELECT * FROM {_files(lake, day)} {dedupe})"


def _query(lake: Lake, day: str | date, sql: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """``sql`` with ``{rows}`` standing for the day's rows; an empty frame on a day without."""
    if not has_day(lake, day):
        return pl.DataFrame(schema=schema)
    return run_sql(lake, sql.format(rows=_rows(lake, day)), [])


def lines_by_format(lake: Lake, day: str | date) -> pl.DataFrame:
    """Lines per source format (json, logfmt, combined, syslog..., python, text)."""
    return _query(
        lake,
        day,
        "SELECT format, count(*) AS lines FROM {rows} GROUP BY 1 ORDER BY 2 DESC, 1",
        {"format": pl.String(), "lines": pl.Int64()},
    )


def lines_by_service_level(lake: Lake, day: str | date) -> pl.DataFrame:
    """Lines per service and normalised level."""
    return _query(
        lake,
        day,
        "SELECT service, level, count(*) AS lines FROM {rows} GROUP BY ALL "
        "ORDER BY lines DESC, service, level",
        {"service": pl.String(), "level": pl.String(), "lines": pl.Int64()},
    )


def newest_lines(lake: Lake, day: str | date, columns: list[str], n: int = 10) -> pl.DataFrame:
    """The newest ``n`` lines of the day, with ``columns``."""
    unknown = set(columns) - set(LOGS.read_schema) - set(PARTITION_COLUMNS)
    if unknown:
        raise ValueError(f"not columns of the logs table: {sorted(unknown)}")
    cols = ", ".join(columns)
    return _query(
        lake,
        day,
        f"SELECT {cols} FROM {{rows}} ORDER BY ts DESC LIMIT {int(n)}",
        {c: pl.String() for c in columns},
    )


def templates(lake: Lake, day: str | date) -> pl.DataFrame:
    """Templates logged on the day per service: lines, errors, first and last time seen."""
    return _query(
        lake,
        day,
        "SELECT service, template_id, any_value(template) AS template, count(*) AS lines, "
        "min(ts) AS first_seen, max(ts) AS last_seen, "
        "count(*) FILTER (WHERE level IN ('error', 'critical')) AS errors "
        "FROM {rows} WHERE template_id IS NOT NULL GROUP BY ALL "
        "ORDER BY lines DESC, service, template_id",
        TEMPLATE_COLUMNS,
    )


def templated_lines(lake: Lake, day: str | date) -> int:
    """Lines of the day that carry a template id."""
    df = _query(
        lake,
        day,
        "SELECT count(*) AS n FROM {rows} WHERE template_id IS NOT NULL",
        {"n": pl.Int64()},
    )
    return int(df["n"][0]) if len(df) else 0


def quarantined(lake: Lake, day: str | date) -> int:
    """Malformed log lines put in quarantine on the day."""
    pattern = f"date={_day(day)}/*/*"
    if not lake.has_files(QUARANTINE_TABLE, pattern):
        return 0
    df = run_sql(
        lake,
        f"SELECT count(*) AS n FROM (SELECT * FROM {lake.scan(QUARANTINE_TABLE, pattern)} "
        "QUALIFY row_number() OVER (PARTITION BY source, seq) = 1) WHERE table_name = ?",
        [LOGS_TABLE],
    )
    return int(df["n"][0])


def duplicate_keys(lake: Lake, day: str | date) -> int:
    """``(source, seq)`` values stored more than once in the day's files."""
    if not has_day(lake, day):
        return 0
    df = run_sql(
        lake,
        "SELECT count(*) AS n FROM (SELECT source, seq FROM "
        f"{_files(lake, day)} GROUP BY ALL HAVING count(*) > 1)",
        [],
    )
    return int(df["n"][0])


def missing_columns(lake: Lake, day: str | date) -> list[str]:
    """Columns the logs table declares (and its partition keys) absent from the day's files."""
    if not has_day(lake, day):
        return []
    df = run_sql(lake, f"DESCRIBE SELECT * FROM {_files(lake, day)}", [])
    have = set(df["column_name"])
    return sorted((set(LOGS.read_schema) | set(PARTITION_COLUMNS)) - have)
