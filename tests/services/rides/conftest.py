"""A rides service on a fake clock, and helpers to put drivers on the map."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from services.rides.locations import MemoryIndex
from services.rides.settings import RidesSettings
from services.rides.system import build
from tests.fake_clock import FakeClock

START = datetime(2030, 3, 1, 12, tzinfo=UTC).timestamp()
LOOP = (41.8837, -87.6289)  # Chicago, the Loop


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def scatter(svc, n: int, *, center=LOOP, spread=0.01, seed=1, prefix="d") -> list[str]:
    """``n`` drivers at random points within ``spread`` degrees of ``center``."""
    rng = random.Random(seed)
    ids = []
    for i in range(n):
        lat = center[0] + rng.uniform(-spread, spread)
        lng = center[1] + rng.uniform(-spread, spread)
        svc.update_locations(f"{prefix}{i}", [(lat, lng, None)])
        ids.append(f"{prefix}{i}")
    return ids


def make(settings, emitter, clock, **conf) -> object:
    return build(
        settings,
        emitter,
        conf=RidesSettings(**{"location_rate": 1000.0, "location_burst": 1000.0, **conf}),
        clock=clock,
        index=MemoryIndex(),
    )


@pytest.fixture
def svc(settings, emitter, clock):
    service = make(settings, emitter, clock)
    yield service
    service.close()
