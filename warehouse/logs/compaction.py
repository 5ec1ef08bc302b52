"""Compaction of small Parquet files and retention by age, for any spooled lake table.

Compaction of one partition directory, crash-safe at every step:

1. write an intent journal (``_compaction.json``: the input files and the output name), fsync;
2. publish the merged, de-duplicated file atomically (temp file, fsync, rename);
3. delete the inputs, then the journal.

Killed before 2, the inputs are intact and the journal is discarded; killed after 2, the next
run finds the output in place and finishes the deletions. In the window between 2 and 3 a row
exists twice on disk, and the lake's views de-duplicate on ``(source, seq)``, so no reader sees
it twice; the next compaction removes the copy. The output name is a hash of the input names,
so a retried compaction rewrites the same file instead of adding one.

In a lake encrypted at rest (``warehouse.at_rest``) the encrypted files (``*.parquet.enc``) are
compacted too, and a partition holding any encrypted input is written back encrypted.

Retention removes whole ``date=`` partitions older than N days: renamed to a hidden trash name
first (atomic, invisible to ``*.parquet`` globs), then deleted.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import orjson
import polars as pl

from warehouse.at_rest import ENCRYPTED_SUFFIX, FROM_SETTINGS, AtRestKey, resolve_write
from warehouse.lake import Lake
from warehouse.parquet_io import fsync_dir, publish_parquet, read_parquet
from warehouse.tables import TableSpec, all_tables

JOURNAL = "_compaction.json"
STALE_TMP_S = 3600


@dataclass
class CompactionReport:
    partitions: int = 0
    files_in: int = 0
    files_out: int = 0
    rows_in: int = 0
    rows_out: int = 0
    recovered: int = 0
    tables: dict[str, int] = field(default_factory=dict)


def _leaf_partitions(table_dir: Path) -> list[Path]:
    """Directories that directly hold Parquet files (or an unfinished journal)."""
    if not table_dir.exists():
        return []
    dirs = {p.parent for p in table_dir.rglob("*.parquet")}
    dirs |= {p.parent for p in table_dir.rglob(f"*{ENCRYPTED_SUFFIX}")}
    dirs |= {p.parent for p in table_dir.rglob(JOURNAL)}
    return sorted(d for d in dirs if not any(part.startswith(".") for part in d.parts[-3:]))


def _write_journal(part_dir: Path, inputs: list[str], output: str) -> None:
    path = part_dir / JOURNAL
    tmp = part_dir / f".{JOURNAL}.tmp"
    with open(tmp, "wb") as fh:
        fh.write(orjson.dumps({"inputs": inputs, "output": output}))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(part_dir)


def _finish(part_dir: Path, inputs: list[str], output: str) -> None:
    for name in inputs:
        if name != output:
            (part_dir / name).unlink(missing_ok=True)
    (part_dir / JOURNAL).unlink(missing_ok=True)
    fsync_dir(part_dir)


def recover_partition(part_dir: Path) -> bool:
    """Complete or discard an interrupted compaction. True if one was found."""
    journal = part_dir / JOURNAL
    if not journal.exists():
        return False
    try:
        plan = orjson.loads(journal.read_bytes())
    except orjson.JSONDecodeError:
        journal.unlink()  # a torn journal: its compaction never started publishing
        return True
    if (part_dir / plan["output"]).exists():
        _finish(part_dir, plan["inputs"], plan["output"])
    else:
        journal.unlink()
        fsync_dir(part_dir)
    return True


def _remove_stale_tmp(part_dir: Path) -> None:
    now = time.time()
    for tmp in part_dir.glob(".*.tmp"):
        try:
            if now - tmp.stat().st_mtime > STALE_TMP_S:
                tmp.unlink()
        except FileNotFoundError:
            pass


def compact_partition(
    part_dir: Path,
    spec: TableSpec,
    *,
    min_files: int = 2,
    small_file_bytes: int = 32 * 1024 * 1024,
    report: CompactionReport | None = None,
    crash_after_publish: bool = False,
    read_key: AtRestKey | None = None,
    write_key: AtRestKey | None = None,
) -> bool:
    """Merge the small files of one partition into one. True if it compacted.

    ``read_key`` opens encrypted inputs; the output is encrypted under ``write_key``, or
    under ``read_key`` when any input was encrypted (data encrypted once stays encrypted)."""
    report = report or CompactionReport()
    if recover_partition(part_dir):
        report.recovered += 1
    _remove_stale_tmp(part_dir)
    candidates = [*part_dir.glob("*.parquet"), *part_dir.glob(f"*{ENCRYPTED_SUFFIX}")]
    files = sorted(p for p in candidates if p.stat().st_size <= small_file_bytes)
    if len(files) < min_files:
        return False
    inputs = [p.name for p in files]
    if any(name.endswith(ENCRYPTED_SUFFIX) for name in inputs):
        write_key = write_key or read_key
    plain_name = (
        "compact-" + hashlib.blake2b("\n".join(inputs).encode(), digest_size=10).hexdigest()
    )
    plain_name += ".parquet"
    output = plain_name + (ENCRYPTED_SUFFIX.removeprefix(".parquet") if write_key else "")
    frames = [read_parquet(p, read_key) for p in files]
    df = pl.concat(frames, how="diagonal_relaxed")
    rows_in = len(df)
    if spec.dedupe_on and all(k in df.columns for k in spec.dedupe_on):
        df = df.unique(subset=list(spec.dedupe_on), keep="first", maintain_order=True)
    if spec.ts_column in df.columns:
        df = df.sort(spec.ts_column)
    _write_journal(part_dir, inputs, output)
    publish_parquet(df, part_dir / plain_name, write_key)
    if crash_after_publish:  # test hook: stop where a kill would leave both copies
        return True
    _finish(part_dir, inputs, output)
    report.partitions += 1
    report.files_in += len(files)
    report.files_out += 1
    report.rows_in += rows_in
    report.rows_out += len(df)
    report.tables[spec.name] = report.tables.get(spec.name, 0) + 1
    return True


def compact_table(lake_root: Path, spec: TableSpec, **kw) -> CompactionReport:
    report = kw.pop("report", None) or CompactionReport()
    if "read_key" not in kw:  # the lake's own keys (per the settings)
        kw["read_key"] = Lake(Path(lake_root)).key()
        kw["write_key"] = resolve_write(FROM_SETTINGS, Path(lake_root).parent)
    for part_dir in _leaf_partitions(Path(lake_root) / spec.name):
        compact_partition(part_dir, spec, report=report, **kw)
    return report


def compact_lake(lake_root: Path, tables: list[str] | None = None, **kw) -> CompactionReport:
    """Compact every registered table that has files (or just ``tables``)."""
    report = CompactionReport()
    for name, spec in all_tables().items():
        if tables is None or name in tables:
            compact_table(lake_root, spec, report=report, **kw)
    return report


def _partition_date(path: Path, table_dir: Path) -> date | None:
    for part in path.relative_to(table_dir).parts:
        if part.startswith("date="):
            try:
                return date.fromisoformat(part[5:])
            except ValueError:
                return None
    return None


def apply_retention(
    lake_root: Path, days: int, *, tables: list[str] | None = None, today: date | None = None
) -> dict[str, int]:
    """Remove ``date=`` partitions older than ``days`` days; returns drops per table."""
    if days < 0:
        raise ValueError("retention days must be >= 0")
    cutoff = (today or datetime.now(UTC).date()) - timedelta(days=days)
    dropped: dict[str, int] = {}
    names = tables if tables is not None else list(all_tables())
    for name in names:
        table_dir = Path(lake_root) / name
        if not table_dir.exists():
            continue
        for date_dir in sorted(table_dir.rglob("date=*")):
            if not date_dir.is_dir():
                continue
            day = _partition_date(date_dir, table_dir)
            if day is None or day >= cutoff:
                continue
            trash = date_dir.with_name(f".trash-{date_dir.name}-{os.getpid()}")
            os.replace(date_dir, trash)
            fsync_dir(date_dir.parent)
            shutil.rmtree(trash, ignore_errors=True)
            dropped[name] = dropped.get(name, 0) + 1
        for trash in table_dir.rglob(".trash-*"):  # left by a crash mid-delete
            shutil.rmtree(trash, ignore_errors=True)
    return dropped
