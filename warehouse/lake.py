"""DuckDB over the Parquet lake.

Connections are in-memory and short-lived: views point at ``read_parquet(..., hive_partitioning
=true)``, so no process ever holds a database file that would block another writer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from warehouse.ingest import LEDGER_DIR
from warehouse.parquet_io import fsync_dir
from warehouse.systems import PLATFORM, built
from warehouse.tables import all_tables

#: Views that put names a person knows beside ids: (view, tables it needs, SQL). In order:
#: a later view may read an earlier one.
NAMED_VIEWS: list[tuple[str, set[str], str]] = [
    (
        "video_titles",
        {"events"},
        "SELECT entity AS video_id, arg_max(json_extract_string(attrs, '$.title'), ts) AS title,"
        " arg_max(actor, ts) AS user_id FROM events"
        " WHERE system = 'video' AND type = 'upload_created' GROUP BY entity",
    ),
    (
        "short_links",
        {"events"},
        "SELECT entity AS code, arg_max(json_extract_string(attrs, '$.url'), ts) AS url,"
        " arg_max(actor, ts) AS owner, max(ts) AS created FROM events"
        " WHERE system = 'shortener' AND type = 'link_created' GROUP BY entity",
    ),
    (
        "video_engagement_titled",
        {"video_engagement", "video_titles"},
        "SELECT e.video_id, t.title, e.* EXCLUDE (video_id) FROM video_engagement e"
        " LEFT JOIN video_titles t USING (video_id)",
    ),
    (
        "shortener_clicks_by_url",
        {"shortener_click_stats", "short_links"},
        "SELECT c.code, l.url, c.* EXCLUDE (code) FROM shortener_click_stats c"
        " LEFT JOIN short_links l USING (code)",
    ),
]


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
        """Create one view per table, ``<system>_events`` views over ``events`` for the
        systems that exist (and the platform's own), and the views that put human names
        beside ids (``NAMED_VIEWS``). Returns the tables."""
        names = self.tables()
        for table in names:
            con.execute(f'CREATE OR REPLACE VIEW "{table}" AS {self._view_sql(table)}')
        if "events" in names:
            for system in sorted([s.id for s in built()] + [PLATFORM]):
                con.execute(
                    f'CREATE OR REPLACE VIEW "{system}_events" AS '
                    f"SELECT * FROM events WHERE system = '{system}'"
                )
        available = set(names)
        for view, needs, sql in NAMED_VIEWS:
            if needs <= available:
                con.execute(f'CREATE OR REPLACE VIEW "{view}" AS {sql}')
                available.add(view)
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

    def views(self) -> list[str]:
        """Every name SQL can read: tables, per-system event views and named views."""
        with self.connect() as con:
            rows = con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
        return sorted(name for (name,) in rows)

    def write_catalog(self, path: Path) -> list[str]:
        """A DuckDB database file of the lake's views at ``path``, for the ``duckdb`` CLI or
        a notebook (``ATTACH '<path>' (READ_ONLY)``). Written to a temporary file and
        renamed over the old one, so a reader never sees half a catalog; no process holds it
        open afterwards. Rewrite it when tables appear: views read the Parquet files as they
        are when queried. Returns the view names."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        try:
            with duckdb.connect(str(tmp)) as con:
                self.register_views(con)
                con.execute("CHECKPOINT")
                rows = con.execute(
                    "SELECT view_name FROM duckdb_views() WHERE NOT internal"
                ).fetchall()
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
            Path(f"{tmp}.wal").unlink(missing_ok=True)
        fsync_dir(path.parent)
        return sorted(name for (name,) in rows)

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
