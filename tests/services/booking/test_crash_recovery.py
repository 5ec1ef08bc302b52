"""``kill -9`` between charge and commit: on restart, reconciliation settles every payment
(captures a confirmed booking, voids an orphaned authorisation); no charge is left without a
booking or a refund. The gateway keeps its own state in its own file, as a real one would."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest

from services.booking.settings import BookingSettings
from services.booking.system import build
from tests.fake_clock import FakeClock
from tests.services.booking.conftest import seed_hotel

CHILD = """
import os, signal, sys
from datetime import timedelta
from warehouse.emitter import Emitter, SpoolTransport
from warehouse.settings import get_settings
from services.booking.settings import BookingSettings
from services.booking.system import build

point = sys.argv[1]
settings = get_settings()
svc = build(settings, Emitter(SpoolTransport(settings, name="child")), conf=BookingSettings())
day = svc.today() + timedelta(days=5)
held = svc.hold("alice", "h1-dbl", day, day + timedelta(days=2), 2)
print(held["id"], flush=True)
svc.crash_hook = lambda at: os.kill(os.getpid(), signal.SIGKILL) if at == point else None
svc.confirm("alice", held["id"])
"""


def crash_during_confirm(settings, point: str) -> str:
    env = {**os.environ, "BLUEPRINT_DATA_DIR": str(settings.data_dir)}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, point], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == -9, proc.stderr[-2000:]
    return proc.stdout.split()[0]


@pytest.fixture
def seeded(settings, emitter):
    svc = build(settings, emitter, conf=BookingSettings())
    seed_hotel(svc)
    svc.close()


def restart(settings, emitter, clock=None):
    return build(settings, emitter, conf=BookingSettings(), clock=clock or time.time)


def test_killed_after_commit_before_capture_is_captured_on_restart(settings, emitter, seeded):
    res_id = crash_during_confirm(settings, "converted")
    svc = restart(settings, emitter)
    try:
        assert svc.get("alice", res_id)["payment"] == "authorized"
        assert svc.local_gateway.charges_by("booking") == {}
        svc.reconcile()
        assert svc.get("alice", res_id)["payment"] == "captured"
        assert svc.local_gateway.charges_by("booking") == {res_id: 1}
    finally:
        svc.close()


def test_killed_after_charge_before_commit_the_retry_charges_once(settings, emitter, seeded):
    res_id = crash_during_confirm(settings, "authorized")
    svc = restart(settings, emitter)
    try:
        assert svc.get("alice", res_id)["payment"] == "authorizing"
        assert svc.confirm("alice", res_id)["status"] == "confirmed"
        assert svc.local_gateway.charges_by("booking") == {res_id: 1}
        assert svc.local_gateway.totals()["intents"] == 1
    finally:
        svc.close()


def test_killed_before_commit_and_never_retried_is_voided_after_the_hold_lapses(
    settings, emitter, seeded
):
    res_id = crash_during_confirm(settings, "authorized")
    clock = FakeClock(time.time() + 601)
    svc = restart(settings, emitter, clock)
    try:
        assert svc.sweep() == 1
        svc.reconcile()
        assert svc.get("alice", res_id)["payment"] == "voided"
        assert svc.local_gateway.charges_by("booking") == {}
        day = svc.today() + timedelta(days=5)
        assert [d["available"] for d in svc.calendar("h1-dbl", day, day + timedelta(days=2))] == [
            5,
            5,
        ]
    finally:
        svc.close()
