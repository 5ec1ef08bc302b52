"""Fixtures for file-sharing tests: a service on a temporary data directory with a clock the
test moves, and an app with only ``files``."""

from __future__ import annotations

import os

import pytest

from services.files.settings import FilesSettings
from services.files.system import build


class Clock:
    def __init__(self, t: float = 1_800_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def conf() -> FilesSettings:
    return FilesSettings(avg_chunk_bytes=1024, gc_grace_s=60.0, max_versions=5)


@pytest.fixture
def files(settings, emitter, clock, conf):
    svc = build(settings, emitter, conf=conf, clock=clock)
    yield svc
    svc.close()


def random_bytes(n: int, seed: int = 0) -> bytes:
    import random

    return random.Random(seed).randbytes(n)


@pytest.fixture
def api(settings, emitter, monkeypatch):
    from fastapi.testclient import TestClient

    from services.app import create_app

    monkeypatch.setenv("BLUEPRINT_FILES_AVG_CHUNK_BYTES", "1024")
    with TestClient(create_app(settings, emitter, only=["files"])) as c:
        yield c


def user_headers(api, admin_headers, user_id: str) -> dict[str, str]:
    r = api.post("/auth/keys", json={"user_id": user_id, "roles": ["user"]}, headers=admin_headers)
    assert r.status_code == 201, r.text
    return {"X-API-Key": r.json()["api_key"]}


__all__ = ["Clock", "os", "random_bytes", "user_headers"]
