"""The fan-out bus between app processes, on a private Redis server: rows and frames arrive
at the other bus in publish order and equal to what was committed, a bus ignores its own
notices, and after the server went away and came back the listener is told to resync."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest

from services.chat.bus import RESYNC, RedisBus, make_bus
from services.chat.model import Message
from tests.conftest import free_port, server_reachable


class RedisServer:
    def __init__(self, binary: str, port: int) -> None:
        self.binary, self.port = binary, port
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not server_reachable("127.0.0.1", self.port):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(binary, free_port())
    server.start()
    yield server
    server.kill()


class Heard:
    def __init__(self) -> None:
        self.items: list = []
        self.changed = threading.Condition()

    def __call__(self, items: list) -> None:
        with self.changed:
            self.items += items
            self.changed.notify_all()

    def wait(self, predicate, timeout: float = 10.0) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: predicate(self.items), timeout), self.items


def test_notices_cross_in_order_and_a_lost_subscription_asks_for_a_resync(redis_server):
    url = f"redis://127.0.0.1:{redis_server.port}/0"
    a, b = make_bus(url, "t-chat"), make_bus(url, "t-chat")
    assert isinstance(a, RedisBus) and isinstance(b, RedisBus)
    heard_a, heard_b = Heard(), Heard()
    a.start(heard_a)
    b.start(heard_b)
    try:
        rows = [
            Message("c1", s, "message", "ann", "p", f"m{s}", '{"text":"x"}', None, 1.5)
            for s in range(1, 51)
        ]
        frame = ("frame", "conv", "c1", "ann", "p", {"type": "typing", "state": "start"})
        for i in range(0, 50, 10):
            a.publish([*rows[i : i + 10], ("push", rows[i])])  # push stays local
        a.publish([frame])
        heard_b.wait(lambda items: len(items) >= 51)
        assert heard_b.items == [*rows, frame]
        time.sleep(0.2)
        assert heard_a.items == []  # its own notices are not handed back

        redis_server.kill()
        time.sleep(1.0)
        redis_server.start()
        heard_b.wait(lambda items: RESYNC in items, 15)
        a.publish([rows[0]])  # and notices flow again
        heard_b.wait(lambda items: items[-1] == rows[0], 15)
    finally:
        a.close()
        b.close()


def test_without_redis_the_bus_is_in_process():
    bus = make_bus(None, "t-chat")
    assert not isinstance(bus, RedisBus) and bus.shared is False
