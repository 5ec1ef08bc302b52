"""``kill -9`` of the service mid-dispatch and mid-charge. On restart no trip is stuck in
``requested`` with a driver reserved, no driver stays reserved without a trip, and a fare
whose charge was cut short is charged exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from sqlalchemy import select

from services.rides.locations import MemoryIndex
from services.rides.settings import RidesSettings
from services.rides.store import drivers, trips
from services.rides.system import build
from tests.fake_clock import FakeClock

CHILD = """
import os, signal, sys
from warehouse.emitter import Emitter, SpoolTransport
from warehouse.settings import get_settings
from services.rides.settings import RidesSettings
from services.rides.system import build

point = sys.argv[1]
settings = get_settings()
svc = build(settings, Emitter(SpoolTransport(settings, name="child")), conf=RidesSettings())
for i in range(3):
    svc.update_locations(f"d{i}", [(41.8837 + 0.001 * i, -87.6289, None)])
q = svc.quote("alice", (41.8837, -87.6289), (41.8950, -87.6200))
die = lambda at: os.kill(os.getpid(), signal.SIGKILL) if at == point else None
if point in ("created", "offered"):
    svc.crash_hook = die
trip = svc.request("alice", q["id"])
print(trip["id"], trip["driver_id"], flush=True)
d = trip["driver_id"]
for step in (svc.accept, svc.arrive, svc.start_trip):
    step(d, trip["id"])
svc.crash_hook = die
svc.complete(d, trip["id"])
"""


def crash(settings, point: str) -> list[str]:
    env = {**os.environ, "BLUEPRINT_DATA_DIR": str(settings.data_dir)}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, point], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == -9, proc.stderr[-2000:]
    return proc.stdout.split()


def restart(settings, emitter, clock):
    return build(settings, emitter, conf=RidesSettings(), clock=clock, index=MemoryIndex())


def stuck(svc) -> tuple[list, list]:
    t, d = trips.c, drivers.c
    with svc.read_engine.connect() as conn:
        offers = conn.execute(
            select(t.id).where(
                (t.status == "requested")
                & t.driver_id.is_not(None)
                & (t.offer_expires <= svc.clock())
            )
        ).all()
        reserved = conn.execute(select(d.id, d.trip_id).where(d.trip_id.is_not(None))).all()
    return offers, reserved


def later() -> FakeClock:
    return FakeClock(time.time() + RidesSettings().offer_timeout_s + 1)


def test_killed_after_the_offer_commit_the_offer_is_taken_back(settings, emitter):
    crash(settings, "offered")
    svc = restart(settings, emitter, later())
    try:
        with svc.read_engine.connect() as conn:
            [row] = conn.execute(select(trips)).all()
        assert row.status == "requested" and row.driver_id is not None  # the offer survived
        out = svc.recover()  # no driver streams yet (positions died with the process)
        assert out["offers_expired"] == 1
        assert stuck(svc) == ([], [])
        assert svc.get("alice", row.id)["cancel_reason"] == "no_driver"
        assert svc.safety()["mismatched_reservations"] == 0
    finally:
        svc.close()


def test_killed_after_the_offer_a_driver_back_online_gets_a_fresh_offer(settings, emitter):
    crash(settings, "offered")
    clock = later()
    svc = restart(settings, emitter, clock)
    try:
        for i in range(3):
            svc.update_locations(f"d{i}", [(41.8837 + 0.001 * i, -87.6289, None)])
        svc.recover()
        [trip] = svc.list_trips("alice")
        assert trip["status"] == "requested" and trip["driver_id"] is not None
        assert stuck(svc)[0] == []
        assert [r.trip_id for r in stuck(svc)[1]] == [trip["id"]]
        assert svc.accept(trip["driver_id"], trip["id"])["status"] == "accepted"
    finally:
        svc.close()


def test_killed_before_any_offer_the_trip_is_matched_again(settings, emitter):
    crash(settings, "created")
    svc = restart(settings, emitter, later())
    try:
        assert svc.recover()["rematched"] == 1
        assert stuck(svc) == ([], [])
        [trip] = svc.list_trips("alice")
        assert trip["status"] == "cancelled" and trip["cancel_reason"] == "no_driver"
    finally:
        svc.close()


def test_killed_between_authorisation_and_capture_the_fare_is_charged_once(settings, emitter):
    trip_id, driver = crash(settings, "authorized")
    svc = restart(settings, emitter, later())
    try:
        assert svc.get("alice", trip_id)["payment"] == "authorized"
        assert svc.local_gateway.charges_by("trip") == {}
        svc.recover()
        assert svc.get("alice", trip_id)["payment"] == "captured"
        svc.recover()
        assert svc.local_gateway.charges_by("trip") == {trip_id: 1}
        assert svc.local_gateway.totals()["intents"] == 1
        assert stuck(svc) == ([], [])
        assert svc.get(driver, trip_id)["status"] == "completed"
    finally:
        svc.close()
