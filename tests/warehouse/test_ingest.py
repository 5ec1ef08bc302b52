import shutil
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from warehouse.emitter import Emitter, SpoolTransport
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake
from warehouse.spool import SpoolWriter, sealed_segments
from warehouse.timestamps import parse_timestamps


def _emit(settings, n):
    em = Emitter(SpoolTransport(settings))
    for i in range(n):
        em.emit("shortener", "click", actor=f"u{i}", entity="abc", attrs={"i": i})
    em.close()


def test_events_land_in_date_hour_partitions_and_views(settings):
    _emit(settings, 50)
    report = ingest_spool(settings.spool_dir, settings.lake_dir)
    assert report.rows == 50
    lake = Lake(settings.lake_dir)
    assert lake.row_counts()["events"] == 50
    parts = list((settings.lake_dir / "events").glob("date=*/hour=*/*.parquet"))
    assert parts
    df = lake.query("SELECT json_extract(attrs, '$.i')::INT AS i FROM shortener_events ORDER BY i")
    assert df["i"].to_list() == list(range(50))


def test_replaying_a_segment_yields_the_same_rows_once(settings):
    _emit(settings, 20)
    (seg,) = list(sealed_segments(settings.spool_dir))
    backup = seg.path.read_bytes()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    # Crash before the ledger mark: the segment comes back and is ingested again.
    shutil.rmtree(settings.lake_dir / "_ledger")
    seg.path.parent.mkdir(parents=True, exist_ok=True)
    seg.path.write_bytes(backup)
    ingest_spool(settings.spool_dir, settings.lake_dir)
    scan = f"read_parquet('{Lake(settings.lake_dir).glob('events')}', hive_partitioning=true)"
    raw = Lake(settings.lake_dir).query(f"SELECT count(*) n FROM {scan}")["n"][0]
    assert raw == 20


def test_unknown_table_rows_are_quarantined_with_a_reason(settings):
    em = Emitter(SpoolTransport(settings))
    em.emit("platform", "ok")
    em.append_rows("no_such_table", [{"x": 1}])
    em.close()
    report = ingest_spool(settings.spool_dir, settings.lake_dir)
    assert report.quarantined == 1
    q = Lake(settings.lake_dir).query("SELECT table_name, reason FROM quarantine")
    assert q["table_name"][0] == "no_such_table"
    assert "unknown table" in q["reason"][0]
    assert Lake(settings.lake_dir).row_counts()["events"] == 1


def test_bad_timestamp_is_quarantined_not_dropped(settings):
    em = Emitter(SpoolTransport(settings))
    em.transport.append(
        [
            {
                "_table": "events",
                "event_id": "x",
                "ts": "not-a-time",
                "system": "api",
                "type": "t",
                "attrs": "{}",
            }
        ]
    )
    em.close()
    report = ingest_spool(settings.spool_dir, settings.lake_dir)
    assert report.quarantined == 1 and report.rows == 0


def test_duplicate_keys_counts_rows_stored_twice_in_the_files(settings):
    _emit(settings, 10)
    ingest_spool(settings.spool_dir, settings.lake_dir)
    lake = Lake(settings.lake_dir)
    assert lake.duplicate_keys("events") == 0
    part = next((settings.lake_dir / "events").glob("date=*/hour=*/*.parquet"))
    shutil.copy(part, part.with_name("copy.parquet"))  # what a broken replay would leave
    assert lake.duplicate_keys("events") == pl.read_parquet(part).height
    assert lake.row_counts()["events"] == 10  # the view still shows each row once
    assert lake.duplicate_keys("no_such_table") == 0


def test_timestamps_in_other_iso_layouts_are_parsed_to_the_same_instant():
    df = pl.DataFrame(
        {
            "ts": [
                "2024-05-01T10:30:00.5+02:00",
                "2024-05-01T08:30:00Z",
                "2024-05-01T08:30:00.000001+00:00",
                None,
                "soon",
            ]
        }
    )
    got = parse_timestamps(df, "ts").to_list()
    base = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
    assert got[:3] == [base + timedelta(microseconds=us) for us in (500_000, 0, 1)]
    assert got[3:] == [None, None]


def test_rows_land_under_their_writers_source_whatever_they_claim(settings):
    writer = SpoolWriter(settings.spool_dir, "api")
    acked = writer.append(
        [
            {
                "_table": "events",
                "event_id": "e1",
                "source": "spoofed",
                "ts": "2024-05-01T00:00:00+00:00",
                "system": "api",
                "type": "t",
                "attrs": "{}",
            }
        ]
    )
    writer.close()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    rows = Lake(settings.lake_dir).query("SELECT source, seq FROM events").rows()
    assert rows == acked == [(writer.source, 1)]


def test_an_event_of_an_unregistered_system_is_refused_before_it_is_spooled(settings):
    em = Emitter(SpoolTransport(settings))
    with pytest.raises(ValueError, match="unknown event system 'crawler'"):
        em.emit("crawler", "search")
    em.close()
    assert ingest_spool(settings.spool_dir, settings.lake_dir).rows == 0
