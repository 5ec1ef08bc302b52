"""Publish one crawl's SQLite state as lake tables (one partition per crawl id, overwritten)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import polars as pl

from warehouse.parquet_io import partition_dir, publish_parquet

TABLES = {
    "crawl_pages": "SELECT url, final_url, status, fetched_at, content_type, bytes, content_hash,"
    " simhash, near_dup_of, title, text, lang, canonical, noindex, nofollow, outlinks, depth,"
    " host FROM pages",
    "crawl_links": "SELECT from_url, to_url, anchor, nofollow FROM links",
    "crawl_errors": "SELECT url, kind, reason, at FROM errors",
}


def export_crawl(db_paths: list[Path], lake_dir: Path, crawl_id: str) -> dict[str, int]:
    """Overwrite ``<table>/crawl_id=<id>/part.parquet`` for each table (all shards' rows)."""
    counts: dict[str, int] = {}
    for table, sql in TABLES.items():
        rows: list[tuple] = []
        names: list[str] = []
        for db_path in db_paths:
            with sqlite3.connect(db_path) as con:
                cur = con.execute(sql)
                names = [d[0] for d in cur.description]
                rows.extend(cur.fetchall())
        df = pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
        if table == "crawl_pages":
            df = df.with_columns(
                pl.from_epoch(pl.col("fetched_at").cast(pl.Float64) * 1e6, time_unit="us")
                .dt.replace_time_zone("UTC")
                .alias("fetched_at")
            )
        target = partition_dir(lake_dir, table, {"crawl_id": crawl_id}) / "part.parquet"
        publish_parquet(df, target)
        counts[table] = df.height
    return counts
