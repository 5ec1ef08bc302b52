"""Fixtures for messaging tests: the service on a temporary data directory with a clock the
test moves, and a real server process for WebSocket tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.chat.process import ServerProcess
from services.chat.settings import ChatSettings
from tests.fake_clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_800_000_000.0)


@pytest.fixture
def chat(settings, emitter, clock):
    from services.chat.system import build

    svc = build(settings, emitter, conf=ChatSettings(), clock=clock)
    yield svc
    svc.close()


@pytest.fixture
def server(tmp_path) -> Iterator[ServerProcess]:
    with ServerProcess(tmp_path / "srv") as srv:
        yield srv
