"""DuckDB over the Parquet lake.

Connections are in-memory and short-lived: views point at ``read_parquet(..., hive_partitioning
=true)``, so no process ever holds a database file that would block another writer.

A lake may hold encrypted files (``*.parquet.enc``, ``warehouse.at_rest``) beside plaintext
ones: ``Lake.scan`` is the one way to read a table's files, and ``Lake.session`` the one way
to open a connection that can (the key added with ``PRAGMA add_parquet_key``). Without the
key, or with another one, reading an encrypted lake raises ``KeyMissing`` / ``WrongKey``.
A lake with no encrypted file reads exactly as before: one ``read_parquet`` glob.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from warehouse.at_rest import (
    ENCRYPTED_SUFFIX,
    FROM_SETTINGS,
    LAKE_MARKER,
    AtRestKey,
    KeyArg,
    KeyMissing,
    WrongKey,
    resolve_read,
    resolve_write,
)
from warehouse.ingest import LEDGER_DIR
from warehouse.parquet_io import fsync_dir, mark_lake, publish_parquet, read_parquet
from warehouse.systems import PLATFORM, built
from warehouse.tables import all_tables

#: Views that put names a person knows beside ids: (view, tables it needs, SQL). In order:
#: a later view may read an earlier one.
#: The name the lake's key has inside a DuckDB session.
KEY_NAME = "lake_at_rest"

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

    def __init__(self, root: Path, key: KeyArg = FROM_SETTINGS) -> None:
        """``key``: the at-rest key; by default the data directory's (``root``'s parent), if
        any. Only consulted when the lake holds encrypted files."""
        self.root = Path(root)
        self._key_arg = key

    # -- encryption at rest ------------------------------------------------------------
    def encrypted(self) -> bool:
        """Whether the lake holds (or held) encrypted files: its marker exists."""
        return (self.root / LAKE_MARKER).exists()

    def key(self) -> AtRestKey | None:
        """The key that opens the lake's encrypted files; ``None`` for a plaintext lake.
        Raises ``KeyMissing`` or ``WrongKey`` for an encrypted lake it cannot open."""
        marker = self.root / LAKE_MARKER
        if not marker.exists():
            return None
        key = resolve_read(self._key_arg, self.root.parent)
        key_id = marker.read_text().strip()
        if key is None:
            raise KeyMissing(
                f"lake {self.root} holds files encrypted under key id {key_id} and no at-rest "
                "key is configured (BLUEPRINT_AT_REST_KEY or <data_dir>/secrets/at_rest_key)"
            )
        if key.key_id != key_id:
            raise WrongKey(
                f"lake {self.root} is encrypted under key id {key_id}; the configured key is "
                f"{key.key_id}"
            )
        return key

    @contextmanager
    def session(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """An in-memory DuckDB connection that can read the lake's files (no views)."""
        with duckdb.connect(":memory:") as con:
            self.add_key(con)
            yield con

    def add_key(self, con: duckdb.DuckDBPyConnection) -> None:
        """Give ``con`` the lake's key, if it is encrypted (before any lock-down)."""
        key = self.key()
        if key is not None:
            con.execute(f"PRAGMA add_parquet_key('{KEY_NAME}', '{key.b64}')")

    def scan(self, table: str, pattern: str = "**/*", *, union_by_name: bool = True) -> str:
        """A ``FROM`` item reading the files of ``table`` matching ``pattern`` (a glob under
        the table's folder, without the extension): plaintext, encrypted, or both."""
        opts = "hive_partitioning=true" + (", union_by_name=true" if union_by_name else "")
        plain = f"read_parquet('{self.root / table / pattern}.parquet', {opts})"
        if self.key() is None:
            return plain
        folder = self.root / table
        enc = (
            f"read_parquet('{self.root / table / pattern}{ENCRYPTED_SUFFIX}', {opts}, "
            f"encryption_config={{footer_key: '{KEY_NAME}'}})"
        )
        has_plain = any(folder.glob(f"{pattern}.parquet"))
        if not any(folder.glob(f"{pattern}{ENCRYPTED_SUFFIX}")):
            return plain
        if not has_plain:
            return enc
        return f"(SELECT * FROM {plain} UNION ALL BY NAME SELECT * FROM {enc})"

    def write_key(self) -> AtRestKey | None:
        """The key new files of this lake are encrypted with (``None``: plaintext)."""
        key = resolve_write(self._key_arg, self.root.parent)
        if key is not None:
            mark_lake(self.root, key)
        return key

    def publish(self, df: pl.DataFrame, path: Path) -> Path:
        """Publish ``df`` at ``path`` (``*.parquet``) in this lake, encrypted when encryption
        at rest is on (then at ``*.parquet.enc``). Returns the file written."""
        return publish_parquet(df, path, self.write_key())

    def read_file(self, path: Path) -> pl.DataFrame:
        """One file of this lake, plaintext or encrypted."""
        return read_parquet(path, self.key())

    def has_files(self, table: str, pattern: str = "**/*") -> bool:
        """Whether ``table`` has a Parquet file (plaintext or encrypted) matching ``pattern``."""
        folder = self.root / table
        if any(folder.glob(f"{pattern}.parquet")):
            return True
        return self.encrypted() and any(folder.glob(f"{pattern}{ENCRYPTED_SUFFIX}"))

    def tables(self) -> list[str]:
        """Tables with at least one Parquet file."""
        if not self.root.exists():
            return []
        return sorted(
            p.name
            for p in self.root.iterdir()
            if p.is_dir() and not p.name.startswith(("_", ".")) and self.has_files(p.name)
        )

    def glob(self, table: str) -> str:
        """The plaintext files of ``table``; read through ``scan``, which sees encrypted ones."""
        return str(self.root / table / "**" / "*.parquet")

    def _view_sql(self, table: str) -> str:
        scan = self.scan(table)
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
        self.add_key(con)
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
            self.register_views(con)  # adds the key first
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
        are when queried. Over an encrypted lake the views need the key in the reading
        session: ``PRAGMA add_parquet_key('lake_at_rest', '<base64 key>')``. Returns the view
        names."""
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
        scan = self.scan(table)
        cols = ", ".join(keys)
        sql = f"SELECT count(*) FROM (SELECT {cols} FROM {scan} GROUP BY ALL HAVING count(*) > 1)"
        with self.session() as con:
            return int(con.execute(sql).fetchone()[0])

    def ledger_dir(self) -> Path:
        return self.root / LEDGER_DIR
