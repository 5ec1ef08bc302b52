import os
import time

import pytest

from warehouse.spool import (
    SpoolFull,
    SpoolWriter,
    read_frames,
    read_records,
    recover_abandoned,
    sealed_segments,
)


def test_appended_records_get_increasing_seq_and_survive_sealing(tmp_path):
    w = SpoolWriter(tmp_path, "t")
    ids = w.append([{"a": 1}, {"a": 2}])
    ids += w.append([{"a": 3}])
    w.seal()
    assert [seq for _, seq in ids] == [1, 2, 3]
    (seg,) = list(sealed_segments(tmp_path))
    assert [r["a"] for r in read_records(seg.path)] == [1, 2, 3]
    w.close()


def test_torn_tail_of_a_dead_writer_is_truncated_and_sealed(tmp_path):
    w = SpoolWriter(tmp_path, "t")
    w.append([{"a": 1}])
    w.append([{"a": 2}])
    open_path = next(w.dir.glob("*.open"))
    with open(open_path, "ab") as fh:
        fh.write(b"\x10\x00\x00\x00garbage")  # a half-written frame
    # Simulate death: release the lock without sealing.
    os.close(w._lock_fd)
    w._closed = True
    assert recover_abandoned(tmp_path) == 1
    (seg,) = list(sealed_segments(tmp_path))
    assert [r["a"] for r in read_records(seg.path)] == [1, 2]
    _, good = read_frames(seg.path)
    assert good == seg.path.stat().st_size


def test_live_writer_segments_are_not_recovered(tmp_path):
    w = SpoolWriter(tmp_path, "t")
    w.append([{"a": 1}])
    assert recover_abandoned(tmp_path) == 0
    assert list(sealed_segments(tmp_path)) == []
    w.close()


def test_full_spool_pushes_back_without_writing(tmp_path):
    w = SpoolWriter(tmp_path, "t", max_bytes=200)
    w.append([{"pad": "x" * 300}])
    with pytest.raises(SpoolFull):
        w.append([{"a": 1}])
    w.seal()
    (seg,) = list(sealed_segments(tmp_path))
    assert len(read_records(seg.path)) == 1
    w.close()


def test_segments_roll_by_size(tmp_path):
    w = SpoolWriter(tmp_path, "t", segment_bytes=100)
    for i in range(5):
        w.append([{"i": i, "pad": "y" * 80}])
    w.seal()
    segs = list(sealed_segments(tmp_path))
    assert len(segs) == 5
    assert [r["i"] for s in segs for r in read_records(s.path)] == list(range(5))
    w.close()


def test_tidying_dead_writers_never_removes_a_live_writers_directory(tmp_path):
    from warehouse.spool import remove_dead_writer_dirs

    live = SpoolWriter(tmp_path, "live")
    dead = SpoolWriter(tmp_path, "dead")
    dead_dir = dead.dir
    os.close(dead._lock_fd)  # died without closing
    dead._closed = True
    remove_dead_writer_dirs(tmp_path)
    assert live.dir.exists() and not dead_dir.exists()
    live.append([{"a": 1}])  # still writable
    live.close()


def test_a_writer_whose_directory_was_tidied_while_starting_starts_over(tmp_path, monkeypatch):
    import warehouse.spool as spool

    real_open = os.open
    calls = {"n": 0}

    def open_after_tidy(path, flags, *args):
        # The first time the LOCK is created, an ingester tidies the still-empty directory.
        if str(path).endswith(spool.LOCK_NAME) and flags & os.O_CREAT and calls["n"] == 0:
            calls["n"] += 1
            os.rmdir(os.path.dirname(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(spool.os, "open", open_after_tidy)
    w = SpoolWriter(tmp_path, "racy")
    monkeypatch.setattr(spool.os, "open", real_open)
    assert calls["n"] == 1 and (w.dir / spool.LOCK_NAME).exists()
    w.append([{"a": 1}])
    w.close()


def test_a_quiet_writer_seals_its_segment_and_a_busy_one_waits(tmp_path):
    writer = SpoolWriter(tmp_path, "quiet", max_segment_age_s=60)
    assert writer.seal_if_idle(0.0) is False  # nothing written: nothing to seal
    writer.append([{"n": 1}])
    assert writer.seal_if_idle(30.0) is False  # written just now: not idle yet
    assert list(sealed_segments(tmp_path)) == []
    time.sleep(0.2)
    assert writer.seal_if_idle(0.1) is True
    [segment] = list(sealed_segments(tmp_path))
    assert [r["n"] for r in read_records(segment.path)] == [1]
    assert writer.seal_if_idle(0.0) is False  # sealed: the next append opens a new segment
    writer.close()


def test_an_old_segment_is_sealed_even_while_appends_keep_coming(tmp_path):
    writer = SpoolWriter(tmp_path, "busy", max_segment_age_s=0.1)
    writer.append([{"n": 1}])
    time.sleep(0.15)
    writer.append([{"n": 2}])  # rolls the old segment on append
    writer.append([{"n": 3}])
    time.sleep(0.15)
    assert writer.seal_if_idle(60.0) is True  # not idle, but past its age
    assert sorted(r["n"] for s in sealed_segments(tmp_path) for r in read_records(s.path)) == [
        1,
        2,
        3,
    ]
    writer.close()
