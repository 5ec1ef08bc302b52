"""Stores for the social tests: SQLite always; PostgreSQL and Redis when the servers answer."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine

from services.social import tables
from services.social.store import SocialStore
from services.social.timelines import InProcessTimelines, RedisTimelines
from tests.conftest import server_reachable

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
