"""What the kv tests share: a node's counters, a bounded wait, a log that records."""

from __future__ import annotations

import time
from collections.abc import Callable

import redis


def stats(c: redis.Redis) -> dict[str, int]:
    """``KV.STATS`` as a dict."""
    flat = c.execute_command("KV.STATS")
    return {k.decode(): v for k, v in zip(flat[::2], flat[1::2], strict=True)}


def wait_for(predicate: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    """Whether ``predicate`` holds within ``timeout_s`` (polled every 0.1 s)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


class RecordingLog:
    """The durable store's interface as ``Replica`` uses it, recording what is logged."""

    def __init__(self) -> None:
        self.records: list[tuple[bytes, bytes | None]] = []

    def load(self) -> dict[bytes, bytes]:
        return {}

    def put(self, key: bytes, value: bytes | None) -> None:
        self.records.append((key, value))

    def put_many(self, keys: list[bytes], values: list[bytes]) -> None:
        self.records += zip(keys, values, strict=True)
