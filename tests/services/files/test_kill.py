"""kill -9 during commits and collections: no partial version is ever visible and no chunk a
version references is lost (at least 20 kills, each at a random moment)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from services.files.settings import FilesSettings
from services.files.system import build
from services.files.tables import versions

KILLS = 20


def check_invariants(svc) -> int:
    """Every version's chunks are live and readable; every count equals its references."""
    with svc.store.engine.connect() as conn:
        rows = conn.execute(select(versions.c.chunks)).all()
    expected: Counter[str] = Counter()
    for r in rows:
        expected.update({h for h, _ in json.loads(r.chunks)})
    chunk_rows = svc.store.chunk_rows()
    for h, n in expected.items():
        refs, state = chunk_rows[h]
        assert (refs, state) == (n, "live"), h
        assert len(svc.chunks.get(h)) > 0  # present and verified
    for h, (refs, _) in chunk_rows.items():
        assert refs == expected.get(h, 0)
    for entry in svc.walk("u"):
        if entry.kind == "file":
            assert sum(len(b) for b in svc.open_file("u", entry.path)[1]) == entry.size
    return len(rows)


@pytest.mark.slow
def test_kill_9_during_commits_loses_nothing(settings, emitter):
    env = {**os.environ, "BLUEPRINT_DATA_DIR": str(settings.data_dir)}
    root = Path(__file__).resolve().parents[3]
    progress = Path(settings.data_dir) / "progress"
    rng = random.Random(13)
    commits_seen = 0
    killed_mid_run = 0
    for _ in range(KILLS):
        before = int(progress.read_text()) if progress.exists() else 0
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.services.files.crash_child"], cwd=root, env=env
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if progress.exists() and int(progress.read_text()) != before:
                killed_mid_run += 1
                break
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.3))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        svc = build(settings, emitter, conf=FilesSettings(avg_chunk_bytes=1024, gc_grace_s=0.001))
        try:
            check_invariants(svc)
            svc.collect_garbage()
            commits_seen = check_invariants(svc)
        finally:
            svc.close()
    assert killed_mid_run == KILLS
    assert commits_seen >= 1


@pytest.mark.slow
def test_kill_9_during_streamed_uploads_leaves_no_partial_file_and_no_bad_pack(settings, emitter):
    """Uploads of new bytes streamed into packs, killed at random moments: acknowledged
    versions stay readable, the interrupted upload is not visible, its half-written pack
    (torn tail and all) is never read and is swept, and later uploads work."""
    env = {**os.environ, "BLUEPRINT_DATA_DIR": str(settings.data_dir)}
    root = Path(__file__).resolve().parents[3]
    progress = Path(settings.data_dir) / "progress"
    rng = random.Random(17)
    svc = build(settings, emitter)
    pack_dir = svc.chunks.blobs.pack_dir
    svc.close()
    torn = 0
    # 8 kills at random moments, then kills aimed at an open pack until one has landed mid-pack
    for round_ in range(48):
        if round_ >= 8 and torn:
            break
        before = int(progress.read_text()) if progress.exists() else 0
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.services.files.crash_child", "stream"],
            cwd=root,
            env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if progress.exists() and int(progress.read_text()) != before:
                break
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.4))
        while round_ >= 8 and not any(pack_dir.glob("*.tmp")) and time.monotonic() < deadline:
            time.sleep(0.001)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        svc = build(settings, emitter, conf=FilesSettings(max_versions=2, gc_grace_s=0.001))
        try:
            torn += len(list(pack_dir.glob("*.tmp")))
            check_invariants(svc)
            assert {e.path for e in svc.walk("u")} <= {"s0", "s1", "s2"}
            svc.chunks.blobs.sweep(older_than_s=-1)
            assert not list(pack_dir.glob("*.tmp"))
            check_invariants(svc)
        finally:
            svc.close()
    assert torn >= 1  # at least one kill landed mid-pack
    svc = build(settings, emitter, conf=FilesSettings(avg_chunk_bytes=1024))
    try:
        svc.put_file("u", "after", b"still works" * 1000)
        assert b"".join(svc.open_file("u", "after")[1]) == b"still works" * 1000
    finally:
        svc.close()
