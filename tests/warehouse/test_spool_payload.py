import struct
import zlib

import orjson
import polars as pl

from warehouse.ingest import _split_slow, ingest_spool
from warehouse.lake import Lake
from warehouse.spool import SpoolWriter, ndjson_source, read_frames, read_payload, read_records


def test_payload_holds_exactly_the_intact_frames_of_a_torn_segment(tmp_path):
    w = SpoolWriter(tmp_path, "p")
    for i in range(5):
        w.append([{"a": i * 10 + k, "s": "x\ny"} for k in range(3)])
    path = next(w.dir.glob("*.open"))
    with open(path, "ab") as fh:
        fh.write(b'\x40\x00\x00\x00\x00\x00\x00\x00{"a": 999')  # a torn last frame
    frames, _ = read_frames(path)
    payload = read_payload(path)
    want = [orjson.loads(line) for f in frames for line in f.split(b"\n")]
    got = pl.read_ndjson(payload).to_dicts()
    assert (
        [r["a"] for r in got]
        == [r["a"] for r in want]
        == [i * 10 + k for i in range(5) for k in range(3)]
    )
    assert got[0]["s"] == "x\ny"
    w.close()


def test_slow_path_reads_the_padded_payload_without_quarantining(tmp_path, settings):
    w = SpoolWriter(tmp_path, "p")
    w.append(
        [
            {
                "_table": "events",
                "event_id": "e1",
                "ts": "2024-05-01T00:00:00+00:00",
                "system": "api",
                "type": "t",
                "attrs": "{}",
            }
        ]
    )
    w.append(
        [
            {
                "_table": "events",
                "event_id": "e2",
                "ts": "2024-05-01T00:00:00+00:00",
                "system": "api",
                "type": "t",
                "attrs": "{}",
            }
        ]
    )
    path = next(w.dir.glob("*.open"))
    out = _split_slow(read_payload(path))
    assert set(out) == {"events"} and out["events"]["event_id"].to_list() == ["e1", "e2"]
    w.close()


def test_a_table_the_sample_missed_is_still_read_with_all_its_columns(settings):
    from warehouse.emitter import Emitter, SpoolTransport
    from warehouse.ingest import ingest_spool
    from warehouse.lake import Lake

    em = Emitter(SpoolTransport(settings, "mix"))
    rows = [
        {"ts": "2024-05-01T10:00:00+00:00", "service": "s", "message": f"m{i}", "level": "info"}
        for i in range(2000)
    ]
    em.append_rows("logs", rows[:1000])
    em.emit("platform", "rare", actor="a1", entity="e1", attrs={"k": 1})  # one line in 2001
    em.append_rows("logs", rows[1000:])
    em.close()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    lake = Lake(settings.lake_dir)
    assert lake.row_counts()["logs"] == 2000
    ev = lake.query("SELECT type, actor, entity, attrs FROM events")
    assert ev.rows() == [("rare", "a1", "e1", '{"k":1}')]


def test_an_intact_sealed_segment_is_handed_to_the_json_reader_as_the_file_itself(tmp_path):
    w = SpoolWriter(tmp_path, "p")
    for i in range(300):  # enough frames that every whitespace symbol shows up in headers
        w.append([{"i": i, "s": "line\nbreak \t tab \u00e9", "pad": "x" * (i % 97)}])
    w.seal()
    (path,) = w.dir.glob("*.seg")
    assert ndjson_source(path) == path
    records = read_records(path)
    assert {r.pop("source") for r in records} == {w.source}  # named by the directory
    assert pl.read_ndjson(path).to_dicts() == records
    assert [r["i"] for r in records] == list(range(300))
    w.close()


def test_a_segment_damaged_after_sealing_is_read_up_to_the_damage(tmp_path):
    w = SpoolWriter(tmp_path, "p")
    for i in range(4):
        w.append([{"i": i}])
    w.seal()
    (path,) = w.dir.glob("*.seg")
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x01  # flip a bit inside the last record
    path.write_bytes(bytes(data))
    source = ndjson_source(path)
    assert isinstance(source, bytes)
    assert [r["i"] for r in pl.read_ndjson(source).to_dicts()] == [0, 1, 2]
    w.close()


def _legacy_frame(lines: list[bytes]) -> bytes:
    body = b"\n".join(lines)
    return struct.pack("<II", len(body), zlib.crc32(body)) + body


def test_a_segment_with_legacy_binary_headers_is_still_ingested(settings):
    folder = settings.spool_dir / "old-writer"
    folder.mkdir(parents=True)
    rows = [
        {
            "_table": "events",
            "event_id": f"e{i}",
            "ts": "2024-05-01T00:00:00+00:00",
            "system": "api",
            "type": "t",
            "attrs": "{}",
            "source": "old-writer",
            "seq": i,
        }
        for i in range(1, 7)
    ]
    frames = [_legacy_frame([orjson.dumps(r) for r in rows[k : k + 2]]) for k in (0, 2, 4)]
    (folder / f"{1:012d}.seg").write_bytes(b"".join(frames))
    report = ingest_spool(settings.spool_dir, settings.lake_dir)
    assert report.rows == 6 and report.quarantined == 0
    ids = Lake(settings.lake_dir).query("SELECT event_id FROM events ORDER BY seq")
    assert ids["event_id"].to_list() == [f"e{i}" for i in range(1, 7)]
