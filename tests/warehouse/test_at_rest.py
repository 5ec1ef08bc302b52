"""Encryption at rest: spool frames sealed with AES-GCM, the lake as encrypted Parquet."""

import os
import stat
import struct
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from pipelines.cli import main
from warehouse.at_rest import (
    LAKE_MARKER,
    AtRestKey,
    FrameTampered,
    KeyMissing,
    WrongKey,
    read_key,
    write_key,
)
from warehouse.emitter import Emitter, SpoolTransport
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake
from warehouse.logs import alerts, daily
from warehouse.logs.compaction import compact_lake
from warehouse.logs.process import LogProcessor, ship
from warehouse.logs.search import SearchQuery, readonly_query, search
from warehouse.parquet_io import mark_lake, publish_parquet, read_parquet
from warehouse.settings import get_settings
from warehouse.spool import (
    SpoolWriter,
    ndjson_source,
    read_frames,
    read_records,
    recover_abandoned,
    sealed_segments,
)

SECRET = "cardholder-4111-1111-1111-1111"
# yesterday: every shipped line is stamped noon of it, so a test that runs over midnight still
# finds its lines in the day it queries
DAY = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")


@pytest.fixture
def encrypted(settings, monkeypatch):
    """The same data directory with ``BLUEPRINT_ENCRYPT_AT_REST=1``."""
    monkeypatch.setenv("BLUEPRINT_ENCRYPT_AT_REST", "1")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def _plaintext(monkeypatch):
    monkeypatch.delenv("BLUEPRINT_ENCRYPT_AT_REST", raising=False)
    get_settings.cache_clear()


def _ship_logs(settings, n=20, service="pay", message=SECRET):
    em = Emitter(SpoolTransport(settings, "t"))
    rows = [
        {
            "ts": f"{DAY}T12:00:00Z",
            "level": "error" if i % 2 else "info",
            "msg": f"{message} {i}",
            "service": service,
        }
        for i in range(n)
    ]
    ship(em, LogProcessor().process_records(rows))
    em.emit("shop", "order_placed", actor="u1", attrs={"card": SECRET})
    em.close()


def _bytes_under(folder):
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def _frame(body: bytes) -> bytes:
    spell = [bytes(b" \t\n\r"[(b >> s) & 3] for s in (6, 4, 2, 0)) for b in range(256)]
    header = struct.pack(">II", len(body), zlib.crc32(body))
    return b"".join(spell[b] for b in header) + b"\n" + body


def _split_frames(data: bytes) -> list[bytes]:
    """The raw frames (header and body) of a segment."""
    digits = bytes.maketrans(b" \t\n\r", b"0123")
    out, offset = [], 0
    while offset < len(data):
        length = int(data[offset : offset + 32].translate(digits), 4) >> 32
        out.append(data[offset : offset + 33 + length])
        offset += 33 + length
    return out


def test_the_key_is_generated_once_mode_0600_and_never_shown(encrypted):
    key = write_key(encrypted.data_dir)
    path = encrypted.data_dir / "secrets" / "at_rest_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert write_key(encrypted.data_dir) == key == read_key(encrypted.data_dir)
    assert len(key.raw) == 32
    assert key.b64 not in repr(key) and key.b64 not in str(key)


def test_a_configured_key_wins_and_stays_out_of_the_settings_repr(settings, monkeypatch):
    text = AtRestKey(os.urandom(16)).b64
    monkeypatch.setenv("BLUEPRINT_ENCRYPT_AT_REST", "1")
    monkeypatch.setenv("BLUEPRINT_AT_REST_KEY", text)
    get_settings.cache_clear()
    s = get_settings()
    assert write_key(s.data_dir).b64 == text
    assert text not in repr(s)
    assert not (s.data_dir / "secrets" / "at_rest_key").exists()
    monkeypatch.setenv("BLUEPRINT_AT_REST_KEY", "not base64!")
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="not valid base64") as info:
        write_key(get_settings().data_dir)
    assert "not base64!" not in str(info.value)
    get_settings.cache_clear()


def test_encryption_is_off_by_default_and_the_default_path_is_unchanged(settings):
    _ship_logs(settings)
    (seg,) = list(sealed_segments(settings.spool_dir))
    assert ndjson_source(seg.path) == seg.path  # the zero-copy path: the file itself
    assert SECRET.encode() in seg.path.read_bytes()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    assert not (settings.lake_dir / LAKE_MARKER).exists()
    assert not list(settings.lake_dir.rglob("*.parquet.enc"))
    assert Lake(settings.lake_dir).key() is None
    assert "UNION" not in Lake(settings.lake_dir).scan("logs")


def test_plaintext_is_stored_where_encryption_is_off_and_absent_where_it_is_on(tmp_path):
    import polars as pl

    df = pl.DataFrame({"msg": [SECRET] * 3})
    plain = publish_parquet(df, tmp_path / "plain.parquet")
    key = AtRestKey(os.urandom(32))
    sealed = publish_parquet(df, tmp_path / "sealed.parquet", key)
    assert SECRET.encode() in plain.read_bytes()  # so the next line can fail
    assert sealed.name == "sealed.parquet.enc" and SECRET.encode() not in sealed.read_bytes()
    assert read_parquet(sealed, key).equals(df)
    with pytest.raises(KeyMissing):
        read_parquet(sealed, None)


def test_round_trip_through_spool_and_lake_leaves_no_plaintext_on_disk(encrypted):
    _ship_logs(encrypted)
    segments = list(sealed_segments(encrypted.spool_dir))
    assert segments and SECRET.encode() not in _bytes_under(encrypted.spool_dir)
    records = [r for seg in segments for r in read_records(seg.path)]
    assert sum(SECRET in str(r) for r in records) == 21
    report = ingest_spool(encrypted.spool_dir, encrypted.lake_dir)
    assert report.rows == 21 and not report.tampered
    assert list(encrypted.lake_dir.rglob("*.parquet.enc"))
    assert not list(encrypted.lake_dir.rglob("*.parquet"))
    assert SECRET.encode() not in _bytes_under(encrypted.lake_dir)
    lake = Lake(encrypted.lake_dir)
    assert lake.tables() == ["events", "logs"]
    n = lake.query(f"SELECT count(*) AS n FROM logs WHERE message LIKE '{SECRET}%'")["n"][0]
    assert n == 20
    attrs = lake.query("SELECT attrs FROM shop_events")["attrs"][0]
    assert SECRET in attrs
    assert lake.duplicate_keys("logs") == 0


def test_log_search_daily_alerts_query_and_compaction_work_encrypted(encrypted):
    for _ in range(3):  # three segments: small files for compaction
        _ship_logs(encrypted, n=8)
        ingest_spool(encrypted.spool_dir, encrypted.lake_dir)
    lake = Lake(encrypted.lake_dir)
    hits = search(lake, SearchQuery(q="cardholder", service="pay"))
    assert len(hits) == 24 and all(SECRET in m for m in hits["message"])
    by_level = daily.lines_by_service_level(lake, DAY)
    assert int(by_level["lines"].sum()) == 24
    assert daily.has_day(lake, DAY) and daily.duplicate_keys(lake, DAY) == 0
    assert daily.missing_columns(lake, DAY) == []
    assert alerts.newest_line_ts(lake) is not None
    out = readonly_query(lake, "SELECT count(*) AS n FROM logs WHERE level = 'error'")
    assert out["n"][0] == 12
    # The key is in the session, not visible to the query.
    settings_text = str(readonly_query(lake, "SELECT * FROM duckdb_settings()").rows())
    assert lake.key().b64 not in settings_text
    report = compact_lake(encrypted.lake_dir, tables=["logs"])
    assert report.files_in >= 3 and report.rows_out == 24
    assert not list(encrypted.lake_dir.rglob("*.parquet"))
    assert len(search(lake, SearchQuery(q="cardholder"))) == 24
    res = CliRunner().invoke(main, ["logs", "search", "cardholder", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert SECRET in res.output


def test_a_mixed_lake_reads_old_plaintext_and_new_encrypted_files(settings, monkeypatch):
    _ship_logs(settings, n=5, message="before")
    ingest_spool(settings.spool_dir, settings.lake_dir)
    monkeypatch.setenv("BLUEPRINT_ENCRYPT_AT_REST", "1")
    get_settings.cache_clear()
    _ship_logs(settings, n=7, message="after")
    ingest_spool(settings.spool_dir, settings.lake_dir)
    assert list(settings.lake_dir.rglob("*.parquet")) and list(settings.lake_dir.rglob("*.enc"))
    lake = Lake(settings.lake_dir)
    assert "UNION ALL BY NAME" in lake.scan("logs")
    assert lake.row_counts() == {"events": 2, "logs": 12}
    assert len(search(lake, SearchQuery(q="before"))) == 5
    assert int(daily.lines_by_service_level(lake, DAY)["lines"].sum()) == 12
    # Compacting a partition with an encrypted input writes it back encrypted.
    compact_lake(settings.lake_dir, tables=["logs"])
    assert not list((settings.lake_dir / "logs").rglob("*.parquet"))
    # Turned off again: new files are plaintext, the old ones still read with the stored key.
    _plaintext(monkeypatch)
    _ship_logs(settings, n=3, message="later")
    ingest_spool(settings.spool_dir, settings.lake_dir)
    assert Lake(settings.lake_dir).row_counts() == {"events": 3, "logs": 15}


def test_a_missing_or_wrong_key_fails_clearly(encrypted, tmp_path):
    _ship_logs(encrypted)
    segment = next(iter(sealed_segments(encrypted.spool_dir))).path
    copy = tmp_path / "spool" / segment.parent.name / segment.name
    copy.parent.mkdir(parents=True)
    copy.write_bytes(segment.read_bytes())
    other = AtRestKey(os.urandom(32))
    with pytest.raises(WrongKey, match="key id"):
        read_records(segment, other)
    with pytest.raises(KeyMissing, match="BLUEPRINT_AT_REST_KEY"):
        read_records(copy, None)
    ingest_spool(encrypted.spool_dir, encrypted.lake_dir)
    with pytest.raises(WrongKey, match="encrypted under key id"):
        Lake(encrypted.lake_dir, key=other).query("SELECT count(*) FROM logs")
    with pytest.raises(KeyMissing, match="no at-rest key"):
        Lake(encrypted.lake_dir, key=None).row_counts()
    with pytest.raises(KeyMissing):
        search(Lake(encrypted.lake_dir, key=None), SearchQuery(q="x"))
    with pytest.raises(WrongKey):  # one key per lake: a second key is refused, not mixed in
        ingest_spool(encrypted.spool_dir, encrypted.lake_dir, key=other)


def test_frames_are_bound_to_their_writer_segment_and_offset(tmp_path):
    key = AtRestKey(os.urandom(32))
    w = SpoolWriter(tmp_path / "spool", "t", key=key)
    w.append([{"a": 1}])
    w.append([{"a": 2}])
    w.close()
    (seg,) = list(sealed_segments(tmp_path / "spool"))
    data = seg.path.read_bytes()
    assert [r["a"] for r in read_records(seg.path, key)] == [1, 2]
    first, second = _split_frames(data)
    seg.path.write_bytes(second + first)  # reordered, each checksum intact
    with pytest.raises(FrameTampered):
        read_records(seg.path, key)
    seg.path.write_bytes(first + first)  # a frame replayed at another offset
    with pytest.raises(FrameTampered):
        read_records(seg.path, key)
    moved = seg.path.with_name("000000000009.seg")  # a segment renamed
    moved.write_bytes(data)
    with pytest.raises(FrameTampered):
        read_records(moved, key)
    body = bytearray(first[33:])
    body[-1] ^= 1  # one bit of ciphertext, with a checksum recomputed to match
    seg.path.write_bytes(_frame(bytes(body)) + second)
    with pytest.raises(FrameTampered):
        read_records(seg.path, key)
    seg.path.write_bytes(first + _frame(b'{"a": 3}'))  # a plaintext frame spliced in
    with pytest.raises(FrameTampered, match="plaintext frame"):
        read_records(seg.path, key)


def test_a_tampered_segment_is_set_aside_and_the_rest_ingested(encrypted):
    _ship_logs(encrypted, n=4, message="kept")
    _ship_logs(encrypted, n=4, message="forged")
    first, second = sorted(
        sealed_segments(encrypted.spool_dir), key=lambda s: s.path.stat().st_mtime_ns
    )
    frames = _split_frames(second.path.read_bytes())
    body = bytearray(frames[0][33:])
    body[40] ^= 0xFF
    second.path.write_bytes(_frame(bytes(body)) + b"".join(frames[1:]))
    report = ingest_spool(encrypted.spool_dir, encrypted.lake_dir)
    assert report.tampered == [str(second.path.with_suffix(".tampered"))]
    assert second.path.with_suffix(".tampered").exists()
    lake = Lake(encrypted.lake_dir)
    assert len(search(lake, SearchQuery(q="kept"))) == 4
    assert len(search(lake, SearchQuery(q="forged"))) == 0


def test_torn_tail_of_an_encrypted_segment_is_recovered_without_the_key(encrypted):
    root = encrypted.spool_dir
    w = SpoolWriter(root, "t")
    w.append([{"_table": "events", "msg": "one"}])
    w.append([{"_table": "events", "msg": "two"}])
    open_path = next(w.dir.glob("*.open"))
    whole = open_path.read_bytes()
    w.append([{"_table": "events", "msg": "three"}])
    torn = open_path.read_bytes()
    open_path.write_bytes(torn[: len(whole) + (len(torn) - len(whole)) // 2])  # half a frame
    os.close(w._lock_fd)  # the writer dies without sealing
    w._closed = True
    assert recover_abandoned(root) == 1
    (seg,) = list(sealed_segments(root))
    assert seg.path.read_bytes() == whole
    frames, good = read_frames(seg.path)
    assert good == len(whole) and [b'"one"' in f for f in frames] == [True, False]
    assert [r["msg"] for r in read_records(seg.path)] == ["one", "two"]


def test_blueprint_sql_reads_an_encrypted_lake(encrypted):
    _ship_logs(encrypted, n=6)
    ingest_spool(encrypted.spool_dir, encrypted.lake_dir)
    runner = CliRunner()
    res = runner.invoke(main, ["sql", "SELECT count(*) AS n FROM logs", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == ["n", "6"]
    res = runner.invoke(main, ["sql", "--tables"])
    assert res.exit_code == 0 and "logs" in res.output


def test_a_large_encrypted_file_reads_back_through_duckdb(tmp_path):
    """Many row groups, long strings: what once failed DuckDB's AES tag check on pages."""
    import polars as pl

    key = AtRestKey(os.urandom(32))
    n = 70_000
    df = pl.DataFrame(
        {
            "i": range(n),
            "message": [f"request {i} {'x' * (i % 300)}" for i in range(n)],
            "level": ["info", "error"] * (n // 2),
        }
    )
    lake_root = tmp_path / "lake"
    mark_lake(lake_root, key)
    publish_parquet(df, lake_root / "big" / "date=2024-05-01" / "big.parquet", key)
    lake = Lake(lake_root, key=key)
    out = lake.query(
        "SELECT count(*) AS n, count(DISTINCT message) AS d, sum(length(message)) AS s FROM big"
    )
    assert out.row(0) == (n, n, int(df["message"].str.len_chars().sum()))


def test_the_make_run_pass_stores_logs_encrypted_beside_a_plaintext_run(settings):
    import random

    from pipelines.workload import WorkloadContext
    from pipelines.workload.logs_at_rest import NAME, WORKLOAD

    ctx = WorkloadContext(client=None, settings=settings, rng=random.Random(1), scale=0.1)
    WORKLOAD.run(ctx)
    facts = ctx.facts[NAME]
    assert facts["found"] == facts["lines"] == facts["ingested"] == 200
    assert facts["clear_on_disk"] == 0 and facts["files"] >= 1
    assert "search found 200" in WORKLOAD.summarize(ctx)[0]
    assert get_settings().encrypt_at_rest is False  # the main run stays plaintext
    assert not (settings.lake_dir / LAKE_MARKER).exists()


def test_the_query_cache_and_asset_schemas_see_encrypted_files(encrypted):
    from assets.facts import column_schema
    from services.logs.query_cache import lake_version

    before = lake_version(encrypted.lake_dir)
    _ship_logs(encrypted, n=3)
    ingest_spool(encrypted.spool_dir, encrypted.lake_dir)
    assert lake_version(encrypted.lake_dir) != before  # a cached answer is not served stale
    columns = {c.name for c in column_schema("logs", encrypted.lake_dir).columns}
    assert {"message", "level", "service"} <= columns


def test_the_logs_assets_materialise_over_an_encrypted_lake(encrypted):
    import dagster as dg

    from assets.lake import lake_ingest, lake_tables
    from assets.logs import (
        logs_alert_evaluations,
        logs_compaction,
        logs_parsed,
        logs_raw,
        logs_templates,
    )
    from assets.resources import PlatformResource, SystemResource
    from services.logs.system import build

    _ship_logs(encrypted, n=30)
    em = Emitter(SpoolTransport(encrypted, "assets"))
    resources = {
        "platform": PlatformResource(data_dir=str(encrypted.data_dir)),
        "logs": SystemResource.with_service("logs", build(encrypted, em)),
    }
    daily_assets = [lake_ingest, logs_raw, logs_parsed, logs_templates]
    result = dg.materialize(daily_assets, resources=resources, partition_key=DAY)
    assert result.success
    assert all(e.passed for e in result.get_asset_check_evaluations())
    meta = result.asset_materializations_for_node("logs_raw")[0].metadata
    assert meta["dagster/row_count"].value == 30
    assert list((encrypted.lake_dir / "log_templates").rglob("*.parquet.enc"))
    templates = Lake(encrypted.lake_dir).query("SELECT sum(lines) AS n FROM log_templates")
    assert templates["n"][0] == 30
    result = dg.materialize(
        [logs_alert_evaluations, logs_compaction, lake_tables], resources=resources
    )
    assert result.success
    vmeta = result.asset_materializations_for_node("lake_tables")[0].metadata
    assert "template_id" in vmeta["schemas"].value["logs"]
    assert SECRET.encode() not in _bytes_under(encrypted.lake_dir)
    em.close()


def test_segments_relayed_from_nats_are_sealed_too(encrypted):
    from warehouse.nats_transport import _write_segment

    lines = [b'{"_table": "logs", "message": "%s", "seq": 1}' % SECRET.encode()]
    path = _write_segment(encrypted.spool_dir, "nats-a", 7, lines)
    assert SECRET.encode() not in path.read_bytes()
    assert [r["message"] for r in read_records(path)] == [SECRET]
