from datetime import date

import polars as pl

from warehouse.emitter import Emitter, SpoolTransport
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake
from warehouse.logs.compaction import (
    JOURNAL,
    apply_retention,
    compact_lake,
    compact_partition,
)
from warehouse.logs.table import LOGS


def _spool_batches(settings, batches, size=10):
    n = 0
    for _ in range(batches):
        em = Emitter(SpoolTransport(settings, "c"))
        rows = [
            {
                "ts": f"2024-05-01T10:{(n + i) % 60:02d}:00+00:00",
                "service": "web",
                "level": "info",
                "message": f"m{n + i}",
            }
            for i in range(size)
        ]
        n += size
        em.append_rows("logs", rows)
        em.close()  # one sealed segment -> one small file per partition
        ingest_spool(settings.spool_dir, settings.lake_dir)
    return n


def _raw_rows(settings):
    files = list((settings.lake_dir / "logs").rglob("*.parquet"))
    return pl.concat([pl.read_parquet(f) for f in files]) if files else pl.DataFrame()


def test_small_files_merge_into_one_per_partition_with_the_same_rows(settings):
    n = _spool_batches(settings, 5)
    part = settings.lake_dir / "logs" / "service=web" / "date=2024-05-01" / "hour=10"
    assert len(list(part.glob("*.parquet"))) == 5
    report = compact_lake(settings.lake_dir, tables=["logs"])
    assert report.files_in == 5 and report.files_out == 1
    assert len(list(part.glob("*.parquet"))) == 1
    assert Lake(settings.lake_dir).row_counts()["logs"] == n
    keys = _raw_rows(settings).select("source", "seq")
    assert len(keys) == n and keys.is_duplicated().sum() == 0
    # Compacting again is a no-op.
    assert compact_lake(settings.lake_dir, tables=["logs"]).files_in == 0


def test_duplicates_from_a_replayed_segment_are_removed(settings):
    _spool_batches(settings, 2)
    part = settings.lake_dir / "logs" / "service=web" / "date=2024-05-01" / "hour=10"
    first = sorted(part.glob("*.parquet"))[0]
    (part / "part-replayed-copy.parquet").write_bytes(first.read_bytes())
    assert len(_raw_rows(settings)) == 30
    compact_lake(settings.lake_dir, tables=["logs"])
    assert len(_raw_rows(settings)) == 20


def test_crash_between_publish_and_delete_loses_and_duplicates_nothing(settings):
    n = _spool_batches(settings, 3)
    part = settings.lake_dir / "logs" / "service=web" / "date=2024-05-01" / "hour=10"
    compact_partition(part, LOGS, crash_after_publish=True)
    assert (part / JOURNAL).exists()
    assert len(_raw_rows(settings)) == 2 * n  # both copies on disk...
    assert Lake(settings.lake_dir).row_counts()["logs"] == n  # ...but readers see each once
    compact_lake(settings.lake_dir, tables=["logs"])  # the next run finishes the job
    assert not (part / JOURNAL).exists()
    assert len(_raw_rows(settings)) == n
    assert len(list(part.glob("*.parquet"))) == 1


def test_crash_before_publish_keeps_the_inputs(settings):
    n = _spool_batches(settings, 3)
    part = settings.lake_dir / "logs" / "service=web" / "date=2024-05-01" / "hour=10"
    (part / JOURNAL).write_text('{"inputs": ["x"], "output": "compact-never.parquet"}')
    (part / ".compact-never.parquet.1234.tmp").write_bytes(b"half a file")
    compact_lake(settings.lake_dir, tables=["logs"])
    assert len(_raw_rows(settings)) == n
    assert not (part / JOURNAL).exists()


def test_retention_drops_only_partitions_older_than_n_days(settings):
    em = Emitter(SpoolTransport(settings, "r"))
    em.append_rows(
        "logs",
        [
            {"ts": "2024-04-01T00:00:00+00:00", "service": "a", "message": "old"},
            {"ts": "2024-04-29T00:00:00+00:00", "service": "a", "message": "recent"},
            {"ts": "2024-04-01T00:00:00+00:00", "service": "b", "message": "old-b"},
        ],
    )
    em.close()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    dropped = apply_retention(settings.lake_dir, 7, tables=["logs"], today=date(2024, 5, 1))
    assert dropped == {"logs": 2}
    df = Lake(settings.lake_dir).query("SELECT message FROM logs")
    assert df["message"].to_list() == ["recent"]
