"""The middleware's body deadline (one timer per request): a body of many pieces that each come
in time is never cut off however long it takes in all; a stall after some pieces is, with
408, and leaves the app's task uncancelled; a slow average is; the limit is counted."""

from __future__ import annotations

import asyncio
import time

import orjson

from services.middleware import PlatformMiddleware
from services.ratelimit import TokenBucketLimiter


def _scope() -> dict:
    return {
        "type": "http",
        "method": "PUT",
        "path": "/upload",
        "headers": [],
        "client": ("10.0.0.1", 1234),
        "state": {},
    }


def _run(pieces: list[tuple[float, bytes]], *, timeout_s: float, min_rate: int, limit=1 << 30):
    """Run the middleware over an app that reads the whole body, fed ``pieces`` (delay before
    each, bytes). Returns (status, problem or None, bytes the app read, the app task's
    cancelling count at the end)."""
    sent: list[dict] = []
    got = {"read": 0, "cancelling": None}

    async def receive():
        if not pieces:
            await asyncio.sleep(3600)
        delay, body = pieces.pop(0)
        await asyncio.sleep(delay)
        return {"type": "http.request", "body": body, "more_body": bool(pieces)}

    async def app(scope, receive, send):
        try:
            while True:
                message = await receive()
                got["read"] += len(message["body"])
                if not message["more_body"]:
                    break
        finally:
            got["cancelling"] = asyncio.current_task().cancelling()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def send(message):
        sent.append(message)

    mw = PlatformMiddleware(
        app,
        limiter=TokenBucketLimiter(100, 60.0),
        max_body_bytes=limit,
        body_timeout_s=timeout_s,
        body_min_bytes_per_s=min_rate,
    )
    asyncio.run(asyncio.wait_for(mw(_scope(), receive, send), 10))
    status = sent[0]["status"]
    problem = orjson.loads(sent[1]["body"]) if status != 200 else None
    return status, problem, got["read"], got["cancelling"]


def test_many_pieces_each_in_time_are_never_cut_off():
    pieces = [(0.03, b"x" * 1000) for _ in range(20)]  # 0.6 s in all, 0.03 s each
    status, _, read, cancelling = _run(pieces, timeout_s=0.15, min_rate=0)
    assert (status, read, cancelling) == (200, 20_000, 0)


def test_a_stall_after_some_pieces_gets_408_and_the_task_is_not_left_cancelled():
    pieces = [(0.02, b"x" * 100) for _ in range(10)] + [(1.0, b"late")]
    began = time.monotonic()
    status, problem, read, cancelling = _run(pieces, timeout_s=0.15, min_rate=0)
    assert status == 408 and "stalled" in problem["detail"]
    assert read == 1000 and cancelling == 0
    assert time.monotonic() - began < 0.9  # cut off, not waited out


def test_a_body_slower_on_average_than_the_minimum_rate_gets_408():
    # Each piece well within the stall timeout, but 10 bytes per 0.05 s is 200 B/s.
    pieces = [(0.05, b"x" * 10) for _ in range(40)]
    status, problem, read, _ = _run(pieces, timeout_s=0.3, min_rate=1000)
    assert status == 408 and "bytes/s" in problem["detail"]
    assert 0 < read < 400


def test_a_body_past_its_limit_gets_413():
    pieces = [(0.0, b"x" * 400) for _ in range(5)]
    status, problem, read, _ = _run(pieces, timeout_s=1.0, min_rate=0, limit=1000)
    assert status == 413 and "1000-byte limit" in problem["detail"]
    assert read == 800
