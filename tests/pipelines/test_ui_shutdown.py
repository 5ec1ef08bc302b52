"""`blueprint ui` stops with everything it started on SIGTERM, also when the shell that
started it in the background left SIGINT ignored (``make ui &``, ``nohup``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.slow


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_sigterm_stops_the_ui_and_its_children_when_sigint_is_ignored(tmp_path: Path) -> None:
    port = free_port()
    blueprint = str(Path(sys.executable).parent / "blueprint")
    proc = subprocess.Popen(
        [blueprint, "ui", "--port", str(port)],
        env={**os.environ, "BLUEPRINT_DATA_DIR": str(tmp_path / "data")},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                url = f"http://127.0.0.1:{port}/server_info"
                if httpx.get(url, timeout=2, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, "the UI exited before it served"
            assert time.monotonic() < deadline, "the UI did not start within 180 s"
            time.sleep(1)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=90)
        deadline = time.monotonic() + 30
        while _group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not _group_alive(proc.pid), "a child of the UI outlived it"
    finally:
        if _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
