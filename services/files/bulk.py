"""Many rows inserted through the database driver's ``executemany``.

An upload writes a row per chunk into three tables (chunks, the pack index, the owner's
wrapped keys). SQLAlchemy's ``conn.execute(insert(table), rows)`` builds and processes the
parameters of every row in Python, about 10 microseconds a row (0.5 CPU-s per GiB of 64 KiB
chunks, holding the GIL the upload's other threads need); the driver's own ``executemany``
over one plain statement does the same in C. The statement is rendered for the connection's
dialect (its quoting and parameter style), so it runs on SQLite and PostgreSQL alike; a
driver with a parameter style not handled here goes through SQLAlchemy as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection

_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def can_skip_existing(conn: Connection) -> bool:
    """Whether :func:`insert_rows` can skip rows whose key exists (``ON CONFLICT DO
    NOTHING``, the same in SQLite 3.24+ and PostgreSQL 9.5+)."""
    return conn.dialect.name in ("sqlite", "postgresql") and conn.dialect.paramstyle in _MARKS


def insert_rows(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: list[tuple],
    *,
    skip_existing: bool = False,
) -> None:
    """Insert ``rows`` (tuples of ``columns``' values, already of the driver's types: str,
    int, float, bytes) into ``table`` in one ``executemany``. ``skip_existing``: a row whose
    primary key is taken is left out (only where :func:`can_skip_existing`)."""
    if not rows:
        return
    if skip_existing and not can_skip_existing(conn):
        raise ValueError(f"{conn.dialect.name} cannot skip existing rows here")
    mark = _MARKS.get(conn.dialect.paramstyle)
    if mark is None:
        conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    quote = conn.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    if skip_existing:
        sql += " ON CONFLICT DO NOTHING"
    conn.exec_driver_sql(sql, rows)
