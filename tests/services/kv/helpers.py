"""What the cluster tests share: a node's counters and a bounded wait."""

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
