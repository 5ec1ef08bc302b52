"""Stores for the social tests: SQLite always; PostgreSQL and Redis when the servers answer."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine

from services.social import tables
from services.social.store import SocialStore
from services.social.timelines import InProcessTimelines, RedisTimelines
from tests.conftest import server_reachable
from tests.fake_clock import FakeClock

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _sqlite_engine(tmp_path):
    from services.db import make_engine
    from warehouse.settings import Settings

    return make_engine(Settings(data_dir=tmp_path), "social")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        yield _sqlite_engine(tmp_path)
        return
    if not server_reachable("127.0.0.1", 5432):
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    eng = create_engine(PG_URL)
    tables.metadata.drop_all(eng)
    yield eng
    tables.metadata.drop_all(eng)
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    return _sqlite_engine(tmp_path)


@pytest.fixture
def redis_timelines():
    if not server_reachable("127.0.0.1", 6379):
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379)
    prefix = f"bp:test:{uuid.uuid4().hex[:8]}"
    yield RedisTimelines(client, prefix=prefix)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def make_store(engine, timelines=None, threshold=3, batch=2) -> SocialStore:
    return SocialStore(
        engine, timelines or InProcessTimelines(), fanout_threshold=threshold, fanout_batch=batch
    )


class RecordingEmitter:
    """An emitter that keeps events in memory, so a test can read what the service emitted."""

    def __init__(self) -> None:
        self.events: list = []

    def emit(self, system, type, *, actor=None, entity=None, attrs=None):
        from warehouse.events import Event

        event = Event(
            system=system,
            type=type,
            actor=None if actor is None else str(actor),
            entity=None if entity is None else str(entity),
            attrs=attrs or {},
        )
        self.events.append(event)
        return event

    def emit_events(self, events) -> None:
        self.events.extend(events)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def social(self) -> list[tuple]:
        """``(type, actor, entity, attrs)`` of the social events, in order."""
        return [(e.type, e.actor, e.entity, e.attrs) for e in self.events if e.system == "social"]


@pytest.fixture
def recorder() -> RecordingEmitter:
    return RecordingEmitter()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_000.0)


@pytest.fixture
def build_social(settings, recorder, clock):
    """``build_social(**conf)``: the social service from its composition root, with a recording
    emitter and a fake cache clock; closed after the test."""
    from services.social.settings import SocialSettings
    from services.social.system import build

    built = []

    def make(**conf):
        svc = build(settings, recorder, conf=SocialSettings(**conf), clock=clock)
        built.append(svc)
        return svc

    yield make
    for svc in built:
        svc.close()


@pytest.fixture
def redis_urls(tmp_path):
    """Two throwaway ``redis-server`` processes on free loopback ports, as a comma list."""
    import subprocess
    import time

    from tests.conftest import free_port, require_binary

    binary = require_binary("redis-server")
    procs, ports = [], []
    for _ in range(2):
        port = free_port()
        procs.append(
            subprocess.Popen(
                [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
                + ["--appendonly", "no", "--dir", str(tmp_path)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        ports.append(port)
    deadline = time.monotonic() + 10
    while not all(server_reachable("127.0.0.1", p) for p in ports):
        if time.monotonic() > deadline:
            pytest.skip("redis-server did not start")
        time.sleep(0.05)
    yield ",".join(f"redis://127.0.0.1:{p}/0" for p in ports)
    for proc in procs:
        proc.kill()
        proc.wait(timeout=10)
