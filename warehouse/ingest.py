"""Spool to lake: sealed segments become Parquet files partitioned by table/date/hour.

Idempotent by construction: the file a segment produces in a partition is named after the
segment (``part-<source>-<index>.parquet``), so replaying a segment after a crash rewrites the
same files with the same rows. A segment is marked done in the ledger only after all its files
are published, and deleted only after that.

With encryption at rest on (``warehouse.at_rest``) sealed frames are opened here and the
Parquet files are written encrypted; a segment holding a frame that fails authentication is
renamed ``<index>.tampered`` beside the others (kept for inspection, never ingested) and
listed in the report, and ingestion goes on with the next one.
"""

from __future__ import annotations

import fcntl
import io
import logging
import mmap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson
import polars as pl

from warehouse.at_rest import (
    FROM_SETTINGS,
    AtRestKey,
    FrameTampered,
    KeyArg,
    resolve_read,
    resolve_write,
)
from warehouse.parquet_io import fsync_dir, mark_lake, partition_dir, publish_parquet
from warehouse.quarantine import QUARANTINE_TABLE
from warehouse.spool import (
    Segment,
    ndjson_source,
    read_payload,
    recover_abandoned,
    remove_dead_writer_dirs,
    sealed_segments,
)
from warehouse.tables import TableSpec, all_tables, get_table, partition_value
from warehouse.timestamps import parse_timestamps

log = logging.getLogger(__name__)

LEDGER_DIR = "_ledger"
_HOUR = "__hour"


@dataclass
class IngestReport:
    segments: int = 0
    rows: int = 0
    quarantined: int = 0
    files: int = 0
    tampered: list[str] = field(default_factory=list)
    rows_by_table: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, rows: int) -> None:
        self.rows_by_table[table] = self.rows_by_table.get(table, 0) + rows
        if table == QUARANTINE_TABLE:
            self.quarantined += rows
        else:
            self.rows += rows


def _ledger_path(lake_root: Path, seg: Segment) -> Path:
    return lake_root / LEDGER_DIR / seg.source / f"{seg.index:012d}.done"


def _mark_done(lake_root: Path, seg: Segment) -> None:
    marker = _ledger_path(lake_root, seg)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_bytes(b"")
    fsync_dir(marker.parent)


def is_ingested(lake_root: Path, source: str, index: int) -> bool:
    return (lake_root / LEDGER_DIR / source / f"{index:012d}.done").exists()


def _quarantine_rows(table: str | None, reason: str, raws: list[str]) -> pl.DataFrame:
    now = datetime.now(UTC).isoformat()
    return pl.DataFrame(
        {
            "ts": [now] * len(raws),
            "table_name": [table] * len(raws),
            "reason": [reason] * len(raws),
            "raw": raws,
            "source": [None] * len(raws),
            "seq": [None] * len(raws),
        },
        schema={**get_table(QUARANTINE_TABLE).read_schema},
    )


def _union_schema(tables: set[str | None] | None = None) -> dict[str, pl.DataType]:
    """The columns of ``tables`` (default: every registered table), plus ``_table``."""
    schema: dict[str, pl.DataType] = {"_table": pl.String()}
    specs = all_tables()
    for name in specs if tables is None else [t for t in tables if t in specs]:
        for column, dtype in specs[name].read_schema.items():
            schema.setdefault(column, dtype)
    return schema


def _sampled_tables(source: Path | bytes, samples: int = 16) -> set[str | None]:
    """Tables named by a few lines spread over the payload: a hint, checked after reading."""
    if isinstance(source, Path):
        with open(source, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            return _sample(mm, samples)
    return _sample(source, samples)


def _sample(payload: bytes | mmap.mmap, samples: int) -> set[str | None]:
    found: set[str | None] = set()
    for k in range(samples):
        start = payload.find(b"\n", len(payload) * k // samples) + 1
        if start <= 0:
            continue
        end = payload.find(b"\n", start)
        try:
            record = orjson.loads(payload[start : end if end >= 0 else len(payload)])
        except orjson.JSONDecodeError:
            continue
        if isinstance(record, dict):
            found.add(record.get("_table"))
    return found


def _split_fast(source: Path | bytes) -> dict[str, pl.DataFrame]:
    # Columns a payload does not have still cost the JSON reader per row, so read with the
    # sampled tables' columns; if a table outside the sample shows up, read again with the
    # exact set (now known from ``_table``).
    hint = _sampled_tables(source)
    df = pl.read_ndjson(_readable(source), schema=_union_schema(hint))
    present = set(df["_table"].unique().to_list())
    if not present <= hint:
        df = pl.read_ndjson(_readable(source), schema=_union_schema(present))
    out: dict[str, pl.DataFrame] = {}
    names = df["_table"].unique()
    # One table per payload is the common case: skip the copy partition_by would make.
    groups = {(names[0],): df} if len(names) == 1 else df.partition_by("_table", as_dict=True)
    quarantined: list[pl.DataFrame] = []
    for name, part in groups.items():
        table = name[0] if isinstance(name, tuple) else name
        spec = get_table(table) if table else None
        if spec is None:
            raws = [orjson.dumps(r).decode() for r in part.to_dicts()]
            quarantined.append(_quarantine_rows(table, f"unknown table {table!r}", raws))
        else:
            out[table] = part.select(list(spec.read_schema))
    if quarantined:
        out[QUARANTINE_TABLE] = pl.concat(quarantined)
    return out


def _readable(source: Path | bytes) -> Path | io.BytesIO:
    return source if isinstance(source, Path) else io.BytesIO(source)


def _split_slow(payload: bytes) -> dict[str, pl.DataFrame]:
    """Record by record, so that one bad record is quarantined and the rest are kept."""
    rows: dict[str, list[dict]] = {}
    bad: list[tuple[str | None, str, str]] = []
    for line in payload.split(b"\n"):
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            bad.append((None, f"invalid JSON: {exc}", line.decode("utf-8", "replace")))
            continue
        spec = get_table(record.get("_table")) if isinstance(record, dict) else None
        if spec is None:
            bad.append((None, "unknown or missing table", line.decode("utf-8", "replace")))
            continue
        rows.setdefault(spec.name, []).append({k: record.get(k) for k in spec.read_schema})
    out: dict[str, pl.DataFrame] = {}
    for table, recs in rows.items():
        spec = get_table(table)
        try:
            out[table] = pl.DataFrame(recs, schema=spec.read_schema, strict=False)
        except Exception as exc:  # noqa: BLE001 - a table's rows that will not type go to quarantine
            bad.extend((table, f"schema mismatch: {exc}", orjson.dumps(r).decode()) for r in recs)
    if bad:
        frames = [_quarantine_rows(t, reason, [raw]) for t, reason, raw in bad]
        out[QUARANTINE_TABLE] = pl.concat(frames)
    return out


def _with_partitions(spec: TableSpec, df: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Parse the timestamp and add partition columns; rows with a bad timestamp are split off."""
    parsed = df.with_columns(parse_timestamps(df, spec.ts_column).alias("__ts"))
    if parsed["__ts"].null_count() == 0:  # the usual case: no copy for a filter
        bad = parsed.clear().drop("__ts")
        good = parsed
    else:
        bad = parsed.filter(pl.col("__ts").is_null()).drop("__ts")
        good = parsed.filter(pl.col("__ts").is_not_null())
    # The hour as a datetime: grouping on it is cheap, and only the few distinct hours are
    # ever formatted as ``date=``/``hour=`` text (in ``_write_partitions``).
    good = good.with_columns(
        pl.col("__ts").alias(spec.ts_column), pl.col("__ts").dt.truncate("1h").alias(_HOUR)
    ).drop("__ts")
    return good, bad


def ingest_segment(
    seg: Segment,
    lake_root: Path,
    report: IngestReport,
    *,
    read_key: AtRestKey | None = None,
    write_key: AtRestKey | None = None,
) -> None:
    """Write one segment's rows to the lake (``read_key`` opens sealed frames, ``write_key``
    encrypts the Parquet files; both ``None`` for plaintext)."""
    source = ndjson_source(seg.path, read_key)
    try:
        split = _split_fast(source)
    except Exception:  # noqa: BLE001 - fall back to the per-record path, which isolates bad rows
        payload = source if isinstance(source, bytes) else read_payload(seg.path, read_key)
        split = _split_slow(payload)
    tag = f"part-{seg.source}-{seg.index:012d}.parquet"
    for table, df in split.items():
        spec = get_table(table)
        if df["source"].null_count():  # records of a local writer: its directory names it
            df = df.with_columns(pl.col("source").fill_null(seg.source))
        good, bad_ts = _with_partitions(spec, df)
        if len(bad_ts):
            raws = [orjson.dumps(r, default=str).decode() for r in bad_ts.to_dicts()]
            q = _quarantine_rows(table, f"unparseable {spec.ts_column!r}", raws)
            qgood, _ = _with_partitions(get_table(QUARANTINE_TABLE), q)
            _write_partitions(get_table(QUARANTINE_TABLE), qgood, lake_root, tag, report, write_key)
        _write_partitions(spec, good, lake_root, tag, report, write_key)


def _write_partitions(
    spec: TableSpec,
    df: pl.DataFrame,
    lake_root: Path,
    tag: str,
    report: IngestReport,
    key: AtRestKey | None = None,
) -> None:
    if not len(df):
        return
    value_keys = [k for k in spec.partition_by if k not in ("date", "hour")]
    # Group on the raw values, then make each distinct value path-safe; values that become the
    # same path (``a b`` and ``a_b``) are written together as one file.
    targets: dict[Path, list[pl.DataFrame]] = {}
    groups = df.partition_by([*value_keys, _HOUR], as_dict=True, include_key=False)
    for values, part in groups.items():
        raw = dict(zip([*value_keys, _HOUR], values, strict=True))
        hour = raw.pop(_HOUR)
        names = {k: partition_value(v) for k, v in raw.items()}
        names["date"], names["hour"] = hour.strftime("%Y-%m-%d"), hour.strftime("%H")
        keys = {k: names[k] for k in spec.partition_by}
        targets.setdefault(partition_dir(lake_root, spec.name, keys) / tag, []).append(part)
    for target, parts in targets.items():
        part = parts[0] if len(parts) == 1 else pl.concat(parts)
        publish_parquet(part, target, key)
        report.files += 1
        report.add(spec.name, len(part))


def _set_aside(seg: Segment, exc: FrameTampered, report: IngestReport) -> None:
    """Keep a segment that failed authentication out of the lake and out of the way."""
    aside = seg.path.with_suffix(".tampered")
    seg.path.rename(aside)
    fsync_dir(aside.parent)
    report.tampered.append(str(aside))
    log.error("spool segment %s failed authentication (%s); kept as %s", seg.path, exc, aside)


def ingest_spool(
    spool_root: Path,
    lake_root: Path,
    *,
    progress: Callable[[str], None] | None = None,
    key: KeyArg = FROM_SETTINGS,
) -> IngestReport:
    """Ingest every sealed segment (recovering those of dead writers first).

    One ingester at a time per lake (an exclusive lock file beside the ledger): the serving
    process's loop and a Dagster run may both start one, and the second waits for the first
    instead of reading a segment the first is deleting.

    ``key``: by default the data directory's at-rest key (``warehouse.at_rest``) opens sealed
    segments and, when encryption is on, encrypts the files written."""
    report = IngestReport()
    read_key = resolve_read(key, spool_root.parent)
    write_key = resolve_write(key, lake_root.parent)
    if write_key is not None:
        mark_lake(lake_root, write_key)
    lock_path = lake_root / LEDGER_DIR / ".ingest.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        recover_abandoned(spool_root)
        for seg in sealed_segments(spool_root):
            if not is_ingested(lake_root, seg.source, seg.index):
                try:
                    ingest_segment(seg, lake_root, report, read_key=read_key, write_key=write_key)
                except FrameTampered as exc:
                    _set_aside(seg, exc, report)
                    continue
                _mark_done(lake_root, seg)
                report.segments += 1
                if progress:
                    progress(f"ingested {seg.source}/{seg.index} ({report.rows} rows so far)")
            seg.path.unlink(missing_ok=True)
        remove_dead_writer_dirs(spool_root)
    return report
