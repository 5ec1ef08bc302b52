import os

import pytest

from warehouse.emitter import Emitter, SpoolTransport
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake
from warehouse.logs.process import LogProcessor
from warehouse.logs.tail import FileTailer


@pytest.fixture
def env(settings):
    log = settings.data_dir / "app.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    cp = settings.data_dir / "cp.json"
    emitters = []

    def tailer(**kw):
        em = Emitter(SpoolTransport(settings, "tail"))
        emitters.append(em)
        proc = LogProcessor(service="app", templater=False)
        return FileTailer(log, em, cp, processor=proc, **kw)

    def messages():
        for em in emitters:
            em.flush()
        ingest_spool(settings.spool_dir, settings.lake_dir)
        lake = Lake(settings.lake_dir)
        if "logs" not in lake.tables():
            return []
        return lake.query("SELECT message FROM logs ORDER BY ts, seq")["message"].to_list()

    yield log, tailer, messages
    for em in emitters:
        em.close()


def _write(path, *lines, mode="a"):
    with open(path, mode, encoding="utf-8") as fh:
        for line in lines:
            fh.write(line + "\n")


def test_checkpoint_resumes_after_restart_without_rereading(env):
    log, tailer, messages = env
    _write(log, "level=info msg=one", "level=info msg=two")
    t = tailer()
    assert t.poll() == 2
    t.close()
    _write(log, "level=info msg=three")
    t2 = tailer()  # a new process: resumes from the durable checkpoint
    assert t2.poll() == 1
    assert t2.poll() == 0
    assert sorted(messages()) == ["one", "three", "two"]


def test_partial_line_waits_for_its_newline(env):
    log, tailer, messages = env
    with open(log, "w", encoding="utf-8") as fh:
        fh.write("level=info msg=whole\nlevel=info msg=hal")
    t = tailer()
    assert t.poll() == 1
    with open(log, "a", encoding="utf-8") as fh:
        fh.write("f\n")
    assert t.poll() == 1
    assert sorted(messages()) == ["half", "whole"]


def _rotate_then_poll(log, t):
    """Rotate by rename, start a new file with line ``b1``, and let ``t`` catch up."""
    os.rename(log, log.with_name("app.log.1"))
    _write(log, "level=info msg=b1", mode="w")
    t.poll()
    t.poll()


def test_rotation_by_rename_drains_the_old_file_then_follows_the_new(env):
    log, tailer, messages = env
    _write(log, "level=info msg=a1")
    t = tailer()
    t.poll()
    _write(log, "level=info msg=a2")  # written before rotation, not yet read
    _rotate_then_poll(log, t)
    assert t.stats.rotations == 1
    assert sorted(messages()) == ["a1", "a2", "b1"]


def test_rotation_while_the_agent_was_down_finds_the_old_file_by_inode(env):
    log, tailer, messages = env
    _write(log, "level=info msg=a1")
    t = tailer()
    t.poll()
    t.close()
    _write(log, "level=info msg=a2")
    os.rename(log, log.with_name("app.log.1"))
    _write(log, "level=info msg=b1", mode="w")
    t2 = tailer()
    t2.poll()
    t2.poll()
    assert sorted(messages()) == ["a1", "a2", "b1"]


def test_copytruncate_restarts_from_the_beginning(env):
    log, tailer, messages = env
    _write(log, "level=info msg=old1", "level=info msg=old2")
    t = tailer()
    t.poll()
    with open(log, "r+b") as fh:
        fh.truncate(0)
    _write(log, "level=info msg=new-longer-line-that-refills-the-file-beyond-the-old-offset")
    t.poll()
    assert t.stats.truncations == 1
    assert messages()[-1] == "new-longer-line-that-refills-the-file-beyond-the-old-offset"
    assert len(messages()) == 3


def test_overlong_and_undecodable_lines_are_quarantined_and_tailing_goes_on(env, settings):
    log, tailer, messages = env
    with open(log, "wb") as fh:
        fh.write(b"x" * 5000 + b"\n" + b"\xff\xfe bad\n" + b"level=info msg=after\n")
    t = tailer(max_line_bytes=1000, max_bytes=2000)
    for _ in range(10):
        t.poll()
    assert messages() == ["after"]
    q = Lake(settings.lake_dir).query("SELECT reason FROM quarantine ORDER BY reason")
    assert q["reason"].to_list() == ["invalid UTF-8", "line longer than 1000 bytes"]


def test_a_rotated_file_ending_without_newline_does_not_stall_the_agent(env):
    log, tailer, messages = env
    _write(log, "level=info msg=a1")
    t = tailer()
    t.poll()
    with open(log, "a", encoding="utf-8") as fh:
        fh.write("level=info msg=cut-off")  # the writer died mid-line, then rotation
    _rotate_then_poll(log, t)
    assert t.stats.rotations == 1
    assert sorted(messages()) == ["a1", "b1", "cut-off"]
