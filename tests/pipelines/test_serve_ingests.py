"""`blueprint serve` gets what it records into SQL on its own: a posted log line is queryable
within 10 seconds with no further traffic and no `blueprint ingest`; and with ingestion turned
off it stays in the spool."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import free_port
from warehouse.lake import Lake

KEY = "test-admin-key-" + "x" * 24


@contextmanager
def serving(data_dir: Path, **env: str) -> Iterator[str]:
    """``blueprint serve`` in its own process on a free port; stopped with SIGTERM."""
    port = free_port()
    environ = {
        **os.environ,
        "BLUEPRINT_DATA_DIR": str(data_dir),
        "BLUEPRINT_ADMIN_API_KEY": KEY,
        **env,
    }
    blueprint = str(Path(sys.executable).parent / "blueprint")
    proc = subprocess.Popen(
        [blueprint, "serve", "--only", "logs", "--port", str(port)],
        env=environ,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def matches(lake: Lake, token: str) -> int:
    if "logs" not in lake.tables():
        return 0
    return int(lake.query(f"SELECT count(*) AS n FROM logs WHERE message LIKE '%{token}%'")[0, 0])


def post_line(base: str, token: str) -> None:
    resp = httpx.post(
        base + "/logs?service=newcomer",
        content=f'{{"level": "error", "message": "payment {token} failed"}}\n',
        headers={"X-API-Key": KEY, "Content-Type": "application/x-ndjson"},
        trust_env=False,
        timeout=10,
    )
    assert resp.status_code == 202 and resp.json()["accepted"] == 1, resp.text


def test_a_posted_log_line_is_queryable_within_ten_seconds(tmp_path) -> None:
    token = uuid.uuid4().hex
    lake = Lake(tmp_path / "data" / "lake")
    with serving(tmp_path / "data") as base:
        post_line(base, token)
        start = time.monotonic()
        while matches(lake, token) == 0 and time.monotonic() - start < 10:
            time.sleep(0.2)
        waited = time.monotonic() - start
    assert matches(lake, token) == 1, f"not in the lake after {waited:.1f} s"
    assert waited < 10


def test_with_ingestion_off_the_line_waits_in_the_spool_sealed(tmp_path) -> None:
    token = uuid.uuid4().hex
    data = tmp_path / "data"
    with serving(data, BLUEPRINT_SERVE_INGEST_INTERVAL_S="0") as base:
        post_line(base, token)
        deadline = time.monotonic() + 10
        while not list((data / "spool").glob("*/*.seg")) and time.monotonic() < deadline:
            time.sleep(0.2)
        sealed = list((data / "spool").glob("*/*.seg"))
        assert sealed, "the idle segment was never sealed"
        time.sleep(3)  # longer than the default ingest interval
        assert matches(Lake(data / "lake"), token) == 0
