"""Fixtures for messaging tests: the service on a temporary data directory with a clock the
test moves, and a real server process for WebSocket tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.chat.process import ServerProcess
from services.chat.settings import ChatSettings


class Clock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


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
