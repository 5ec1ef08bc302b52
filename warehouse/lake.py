"""DuckDB over the Parquet lake.

Connections are in-memory and short-lived: views point at ``read_parquet(..., hive_partitioning
=true)``, so no process ever holds a database file that would block another writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from warehouse.ingest import LEDGER_DIR
from warehouse.systems import EVENT_SOURCES
from warehouse.tables import all_tables


class Lake:
    """The lake rooted at ``root``: one folder per table, Hive-partitioned Parquet inside."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def tables(self) -> list[str]:
        """Tables with at least one Parquet file."""
        if not self.root.exists():
            return []
        return sorted(
            p.name
            for p in self.root.iterdir()
            if p.is_dir() and not p.name.startswith(("_", ".")) and any(p.rglob("*.parquet"))
        )

    def glob(self, table: str) -> str:
        return str(self.root / table / "**" / "*.parquet")

    def _view_sql(self, table: str) -> str:
        scan = f"read_parquet('{self.glob(table)}', hive_partitioning=true, union_by_name=true)"
        spec = all_tables().get(table)
        if spec and spec.dedupe_on:
            keys = ", ".join(spec.dedupe_on)
            # Files of one segment are written once per partition, but compaction or a crash
            # mid-compaction could leave a row twice; the view shows it once.
            return f"SELECT * FROM {scan} QUALIFY row_number() OVER (PARTITION BY {keys}) = 1"
        return f"SELECT * FROM {scan}"

    def register_views(self, con: duckdb.DuckDBPyConnection) -> list[str]:
        """Create one view per table, plus ``<system>_events`` views over ``events``."""
        names = self.tables()
        for table in names:
            con.execute(f'CREATE OR REPLACE VIEW "{table}" AS {self._view_sql(table)}')
        if "events" in names:
            for system in sorted(EVENT_SOURCES):
                con.execute(
                    f'CREATE OR REPLACE VIEW "{system}_events" AS '
                    f"SELECT * FROM events WHERE system = '{system}'"
                )
        return names

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """An in-memory DuckDB connection with the lake's views registered."""
        with duckdb.connect(":memory:") as con:
            self.register_views(con)
            yield con

    def query(self, sql: str, params: list | None = None) -> pl.DataFrame:
        """Run SQL over the lake and return a polars DataFrame.

        >>> Lake(Path(".data/lake")).query("SELECT system, count(*) FROM events GROUP BY 1")
        ... # doctest: +SKIP
        """
        with self.connect() as con:
            return con.sql(sql, params=params).pl()

    def row_counts(self) -> dict[str, int]:
        with self.connect() as con:
            return {
                t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in self.tables()
            }

    def duplicate_keys(self, table: str, keys: tuple[str, ...] = ("source", "seq")) -> int:
        """How many ``keys`` values occur more than once in the table's files (not its
        de-duplicating view): what exactly-once ingestion must keep at zero."""
        if table not in self.tables():
            return 0
        scan = f"read_parquet('{self.glob(table)}', hive_partitioning=true, union_by_name=true)"
        cols = ", ".join(keys)
        sql = f"SELECT count(*) FROM (SELECT {cols} FROM {scan} GROUP BY ALL HAVING count(*) > 1)"
        with duckdb.connect(":memory:") as con:
            return int(con.execute(sql).fetchone()[0])

    def ledger_dir(self) -> Path:
        return self.root / LEDGER_DIR
