"""Atomic Parquet publication: a reader sees the old file or the new one, never half of one.

With an at-rest key (``warehouse.at_rest``) the file is written with Parquet modular
encryption (uniform AES-GCM through pyarrow) as ``<name>.parquet.enc``, and the lake is marked
as holding encrypted files.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import polars as pl

from warehouse.at_rest import ENCRYPTED_SUFFIX, LAKE_MARKER, AtRestKey, KeyMissing, WrongKey


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def encrypted_path(path: Path) -> Path:
    """Where ``path`` (``*.parquet``) lives when encrypted: ``*.parquet.enc``."""
    return path.with_name(path.name + ".enc")


def publish_parquet(df: pl.DataFrame, path: Path, key: AtRestKey | None = None) -> Path:
    """Write ``df`` to ``path`` through a temp file, fsync, rename and directory fsync.

    With ``key``, written encrypted to ``encrypted_path(path)`` (and a plaintext twin from
    before encryption was turned on is removed, so a rewrite never leaves a row twice).
    Returns the path written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    target, twin = (path, encrypted_path(path)) if key is None else (encrypted_path(path), path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    if key is None:
        df.write_parquet(tmp, compression="zstd", statistics=True)
    else:
        _write_encrypted(df, tmp, key)
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, target)
    twin.unlink(missing_ok=True)
    fsync_dir(path.parent)
    return target


#: DuckDB 2.0 fails the AES tag of the second and later data pages of a column chunk written by
#: pyarrow ("Computed AES tag differs"), so every column chunk is written as one data page:
#: row groups below Arrow's 20,000 rows per page, and no byte limit on a page or a dictionary
#: (no fallback from dictionary to plain pages mid-chunk). ``tests/warehouse/test_at_rest.py``
#: reads a many-row-group file back through DuckDB to catch a change in either library.
ONE_PAGE_PER_CHUNK = {
    "row_group_size": 16_384,
    "data_page_size": 1 << 30,
    "dictionary_pagesize_limit": 1 << 30,
}


def _write_encrypted(df: pl.DataFrame, tmp: Path, key: AtRestKey) -> None:
    import pyarrow.parquet as pq
    import pyarrow.parquet.encryption as pe

    props = pe.create_encryption_properties(key.raw)  # uniform: footer and every column
    pq.write_table(
        df.to_arrow(),
        tmp,
        compression="zstd",
        write_statistics=True,
        encryption_properties=props,
        **ONE_PAGE_PER_CHUNK,
    )


def mark_lake(root: Path, key: AtRestKey) -> None:
    """Record at the lake's root that it holds files encrypted under ``key`` (its id), so a
    reader without that key fails clearly. One key per lake: another key is ``WrongKey``."""
    marker = root / LAKE_MARKER
    if marker.exists():
        found = marker.read_text().strip()
        if found != key.key_id:
            raise WrongKey(f"lake {root} is encrypted under key id {found}, not {key.key_id}")
        return
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{LAKE_MARKER}.{uuid.uuid4().hex[:8]}.tmp"
    tmp.write_text(key.key_id + "\n")
    os.replace(tmp, marker)
    fsync_dir(root)


def read_parquet(path: Path, key: AtRestKey | None = None) -> pl.DataFrame:
    """One Parquet file of the lake, plaintext or encrypted (then ``key`` is needed)."""
    if not path.name.endswith(ENCRYPTED_SUFFIX):
        return pl.read_parquet(path)
    if key is None:
        raise KeyMissing(f"{path} is encrypted and no at-rest key is configured")
    import pyarrow.parquet as pq
    import pyarrow.parquet.encryption as pe

    props = pe.create_decryption_properties(key.raw)
    return pl.from_arrow(pq.read_table(path, decryption_properties=props))


def partition_dir(root: Path, table: str, keys: dict[str, str]) -> Path:
    path = root / table
    for key, value in keys.items():
        path = path / f"{key}={value}"
    return path
