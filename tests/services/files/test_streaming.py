"""A request body handed to a blocking consumer as it arrives: everything in order, a body
that breaks off reaches the consumer as an error (so it drops what it wrote), and a consumer
that fails stops the reading."""

from __future__ import annotations

import anyio
import pytest

from services.files import streaming


async def body(n: int, size: int, fail_at: int | None = None):
    for i in range(n):
        if i == fail_at:
            raise ConnectionError("client went away")
        yield bytes([i % 256]) * size


def collect(batches):
    return b"".join(b"".join(batch) for batch in batches)


def test_every_piece_arrives_in_order():
    got = anyio.run(streaming.consume, body(300, 50_000), collect)
    assert got == b"".join(bytes([i % 256]) * 50_000 for i in range(300))


def test_a_broken_body_reaches_the_consumer_and_propagates():
    seen = []

    def consumer(batches):
        try:
            return collect(batches)
        except BaseException as exc:
            seen.append(type(exc).__name__)
            raise

    with pytest.raises(ConnectionError):
        anyio.run(streaming.consume, body(300, 50_000, fail_at=200), consumer)
    assert seen == ["_Aborted"]


def test_a_failing_consumer_stops_the_reading():
    read = []

    async def counted():
        async for piece in body(1000, 50_000):
            read.append(len(piece))
            yield piece

    def consumer(batches):
        next(batches)
        raise ValueError("refused")

    with pytest.raises(ValueError):
        anyio.run(streaming.consume, counted(), consumer)
    assert len(read) < 1000
