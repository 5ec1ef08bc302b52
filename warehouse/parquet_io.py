"""Atomic Parquet publication: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import polars as pl


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish_parquet(df: pl.DataFrame, path: Path) -> Path:
    """Write ``df`` to ``path`` through a temp file, fsync, rename and directory fsync."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    df.write_parquet(tmp, compression="zstd", statistics=True)
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)
    return path


def partition_dir(root: Path, table: str, keys: dict[str, str]) -> Path:
    path = root / table
    for key, value in keys.items():
        path = path / f"{key}={value}"
    return path
