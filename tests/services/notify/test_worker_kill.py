"""A worker killed with SIGKILL mid-send: no duplicate at the provider, no notification lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.services.notify.conftest import register

ROOT = Path(__file__).resolve().parents[3]


def start_worker(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "services.notify.worker", *args],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.slow
def test_sigkilled_worker_sends_no_duplicate_and_loses_nothing(api, service_headers, push, notify):
    register(api, service_headers, "ann")
    # The provider accepts, then answers slowly: a kill lands between "provider has it" and
    # "we recorded it", the window that produces duplicates without idempotency keys.
    push.control(delay_s=0.4)
    ids = []
    for i in range(24):
        r = api.post(
            "/notifications",
            headers=service_headers,
            json={
                "user_id": "ann",
                "template": "welcome",
                "data": {"name": f"A{i}"},
                "channels": ["push"],
            },
        )
        ids.append(r.json()["id"])
    first = start_worker("--max-seconds", "60")
    try:
        deadline = time.monotonic() + 30
        while len(push.delivered) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    accepted_before_kill = len(push.delivered)
    recorded = notify.stats().get("sent", 0)
    assert accepted_before_kill > recorded, "the kill should land mid-send"
    push.control(delay_s=0.0)
    second = start_worker("--drain", "--horizon", "5", "--max-seconds", "60")
    out, _ = second.communicate(timeout=90)
    assert second.returncode == 0, out
    assert sorted(push.logical_ids()) == sorted(ids)  # nothing lost
    assert push.duplicates() == 0  # nothing sent twice
    assert push.replays >= 1  # the second worker re-sent in-flight ones; the key stopped them
    assert notify.stats() == {"sent": len(ids)}
