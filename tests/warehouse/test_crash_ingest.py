"""kill -9 at random points: ingestion (and compaction) and the spool writer.

Afterwards every record the spool acknowledged is in the lake exactly once, and a restart
never fails.
"""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from warehouse.emitter import Emitter, SpoolTransport
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake
from warehouse.logs.compaction import compact_lake

ROOT = Path(__file__).resolve().parents[2]
TRIALS = 20

INGEST_CHILD = """
import sys
from pathlib import Path
from warehouse.ingest import ingest_spool
from warehouse.logs.compaction import compact_lake
from warehouse.tables import all_tables
all_tables()
print("ready", flush=True)
ingest_spool(Path(sys.argv[1]), Path(sys.argv[2]))
compact_lake(Path(sys.argv[2]), tables=["logs"])
print("done", flush=True)
"""

WRITER_CHILD = """
import sys
from pathlib import Path
from warehouse.spool import SpoolWriter
w = SpoolWriter(Path(sys.argv[1]), "torn", segment_bytes=20000)
i = 0
while True:
    rows = [{"_table": "logs", "ts": "2024-05-01T10:00:00+00:00", "service": "w",
             "message": f"m{i + k}"} for k in range(50)]
    ids = w.append(rows)
    i += 50
    print(ids[0][0], ids[0][1], ids[-1][1], flush=True)
"""


def _child(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _spool_logs(settings, start: int, segments: int, per: int) -> list[tuple[str, int]]:
    acked = []
    for s in range(segments):
        em = Emitter(SpoolTransport(settings, "crash"))
        rows = [
            {
                "ts": f"2024-05-01T{(start + s) % 24:02d}:00:00+00:00",
                "service": f"svc{k % 3}",
                "level": "info",
                "message": f"r{start}-{s}-{k}",
            }
            for k in range(per)
        ]
        acked += em.append_rows("logs", rows)
        em.close()  # seal: one segment per batch
    return acked


def _raw_keys(lake_dir: Path) -> pl.DataFrame:
    files = list((lake_dir / "logs").rglob("*.parquet"))
    return pl.concat([pl.read_parquet(f, columns=["source", "seq"]) for f in files])


@pytest.mark.slow
def test_ingest_killed_at_random_points_keeps_every_acked_record_exactly_once(settings):
    rng = random.Random(1234)
    acked: list[tuple[str, int]] = []
    killed = 0
    for trial in range(TRIALS):
        acked += _spool_logs(settings, trial * 10, segments=8, per=100)
        proc = _child(INGEST_CHILD, str(settings.spool_dir), str(settings.lake_dir))
        try:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
            time.sleep(rng.uniform(0.0, 0.25))  # ingest + compaction of 8 segments take longer
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed += 1
            rc = proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        # Killed, or finished cleanly: a restart on whatever state was left never fails.
        assert rc in (0, -signal.SIGKILL), proc.stderr.read()
    assert killed >= TRIALS // 2  # most trials really were interrupted
    # The final restart completes the work.
    ingest_spool(settings.spool_dir, settings.lake_dir)
    compact_lake(settings.lake_dir, tables=["logs"])
    want = pl.DataFrame(acked, schema={"source": pl.String, "seq": pl.Int64}, orient="row")
    keys = _raw_keys(settings.lake_dir)
    assert len(keys) == len(want)  # no row twice on disk
    assert keys.sort(["source", "seq"]).equals(want.sort(["source", "seq"]))
    assert Lake(settings.lake_dir).row_counts()["logs"] == len(want)


def test_writer_killed_mid_append_keeps_acknowledged_records(settings):
    rng = random.Random(99)
    acked: set[tuple[str, int]] = set()
    for _ in range(5):
        proc = _child(WRITER_CHILD, str(settings.spool_dir))
        deadline = time.monotonic() + rng.uniform(1.0, 1.8)
        lines = []
        try:
            while time.monotonic() < deadline:
                line = proc.stdout.readline()
                if not line:
                    break
                lines.append(line)
            os.kill(proc.pid, signal.SIGKILL)  # mid-append, most likely
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert lines, proc.stderr.read()
        for line in lines:
            source, first, last = line.split()
            acked |= {(source, s) for s in range(int(first), int(last) + 1)}
    report = ingest_spool(settings.spool_dir, settings.lake_dir)  # recovers the torn tails
    assert report.quarantined == 0
    keys = _raw_keys(settings.lake_dir)
    stored = set(keys.iter_rows())
    assert acked <= stored  # every acknowledged record survived
    assert len(keys) == len(stored)  # and none is there twice
    # Each writer's records form a prefix: nothing after a torn frame was half-kept.
    for source in {s for s, _ in stored}:
        seqs = sorted(q for s, q in stored if s == source)
        assert seqs == list(range(1, len(seqs) + 1))
