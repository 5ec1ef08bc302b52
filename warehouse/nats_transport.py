"""The emitter's scale-out transport: NATS JetStream, plus a consumer that lands the stream in
the same lake layout.

``NatsTransport`` is synchronous like the spool: it owns an asyncio loop in a daemon thread
(nats-py is async-only) and ``append`` returns once JetStream has acknowledged every record,
i.e. stored it. Each record is one message with ``Nats-Msg-Id = source:seq``, so a retried
publish inside the stream's duplicate window is dropped by the server.

The consumer bridges the stream to the local spool instead of writing Parquet itself: each
fetched batch becomes a sealed segment named after its last stream sequence, written
atomically before the batch is acknowledged, and ``ingest_spool`` does the rest (partitioning,
atomic publish, ledger). A crash between the segment write and the ack redelivers the batch;
the lake de-duplicates on ``(source, seq)``, so the rows appear once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import uuid
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

import orjson

from warehouse.at_rest import frame_aad, write_key
from warehouse.spool import encode_frame, encode_sealed_frame

T = TypeVar("T")
DEFAULT_STREAM = "BLUEPRINT"
DEFAULT_PREFIX = "blueprint.spool"


class _LoopThread:
    """An asyncio loop running in its own daemon thread; ``run`` blocks on a coroutine."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="nats-loop", daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = 60.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()


async def _connect(url: str, stream: str, prefix: str):
    import nats
    from nats.js.errors import BadRequestError

    nc = await nats.connect(servers=[url], connect_timeout=2, max_reconnect_attempts=3)
    js = nc.jetstream()
    # BadRequest: the stream exists already (possibly with another config): use it as it is.
    with contextlib.suppress(BadRequestError):
        await js.add_stream(name=stream, subjects=[f"{prefix}.>"], duplicate_window=120.0)
    return nc, js


class NatsTransport:
    """Publishes records to JetStream subject ``<prefix>.<table>``; durable on return."""

    def __init__(
        self,
        url: str,
        name: str = "app",
        *,
        stream: str = DEFAULT_STREAM,
        prefix: str = DEFAULT_PREFIX,
        timeout_s: float = 10.0,
        retries: int = 3,
    ) -> None:
        self.source = f"{name}-{uuid.uuid4().hex[:12]}"
        self.stream = stream
        self.prefix = prefix
        self.timeout_s = timeout_s
        self.retries = retries
        self._seq = 0
        self._lock = threading.Lock()
        self._loop = _LoopThread()
        try:
            self._nc, self._js = self._loop.run(_connect(url, stream, prefix), timeout=15)
        except Exception:
            self._loop.stop()
            raise

    def append(self, records: Sequence[dict[str, Any]]) -> list[tuple[str, int]]:
        """Publish every record and wait for JetStream's acknowledgements."""
        if not records:
            return []
        with self._lock:
            ids = []
            messages = []
            for record in records:
                self._seq += 1
                ids.append((self.source, self._seq))
                table = str(record.get("_table") or "events")
                body = orjson.dumps({**record, "source": self.source, "seq": self._seq})
                messages.append((f"{self.prefix}.{table}", body, f"{self.source}:{self._seq}"))
        self._loop.run(self._publish_all(messages), timeout=self.timeout_s * (self.retries + 1) + 5)
        return ids

    async def _publish_all(self, messages: list[tuple[str, bytes, str]]) -> None:
        from nats.errors import TimeoutError as NatsTimeout

        pending = messages
        for attempt in range(self.retries + 1):
            results = await asyncio.gather(
                *(
                    self._js.publish(
                        subject,
                        body,
                        timeout=self.timeout_s,
                        stream=self.stream,
                        headers={"Nats-Msg-Id": msg_id},
                    )
                    for subject, body, msg_id in pending
                ),
                return_exceptions=True,
            )
            failed = [m for m, r in zip(pending, results, strict=True) if isinstance(r, Exception)]
            if not failed:
                return
            errors = [r for r in results if isinstance(r, Exception)]
            if attempt == self.retries or not all(isinstance(e, NatsTimeout) for e in errors):
                raise RuntimeError(f"JetStream did not store {len(failed)} records: {errors[0]!r}")
            pending = failed  # same Nats-Msg-Id: the server drops what it already stored

    def flush(self) -> None:
        """Every append is already stored on return; this only flushes the connection."""
        self._loop.run(self._nc.flush(timeout=self.timeout_s))

    def close(self) -> None:
        try:
            self._loop.run(self._nc.drain(), timeout=10)
        finally:
            self._loop.stop()


def _write_segment(spool_root: Path, source: str, index: int, payloads: list[bytes]) -> Path:
    folder = spool_root / source
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{index:012d}.seg"
    tmp = folder / f".{index:012d}.seg.tmp"
    key = write_key(spool_root.parent)  # sealed when encryption at rest is on
    frame = (
        encode_frame(payloads)
        if key is None
        else encode_sealed_frame(payloads, key, frame_aad(source, index, 0))
    )
    with open(tmp, "wb") as fh:
        fh.write(frame)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return final


async def _consume(
    url: str,
    spool_root: Path,
    stream: str,
    prefix: str,
    durable: str,
    batch: int,
    fetch_timeout: float,
    max_batches: int | None,
) -> int:
    from nats.errors import TimeoutError as NatsTimeout
    from nats.js.api import AckPolicy, ConsumerConfig

    nc, js = await _connect(url, stream, prefix)
    moved = 0
    try:
        sub = await js.pull_subscribe(
            f"{prefix}.>",
            durable=durable,
            stream=stream,
            config=ConsumerConfig(ack_policy=AckPolicy.ALL, ack_wait=60),
        )
        batches = 0
        while max_batches is None or batches < max_batches:
            try:
                msgs = await sub.fetch(batch, timeout=fetch_timeout)
            except NatsTimeout:
                break
            if not msgs:
                break
            # Named after the batch's last stream sequence: a redelivered batch (it starts at
            # the same unacknowledged message) that ends later gets a new name, never one the
            # ledger already marked done with fewer rows in it.
            last = msgs[-1].metadata.sequence.stream
            _write_segment(spool_root, f"nats-{stream.lower()}", last, [m.data for m in msgs])
            await msgs[-1].ack_sync(timeout=10)  # AckPolicy.ALL: acknowledges the whole batch
            moved += len(msgs)
            batches += 1
    finally:
        await nc.close()  # draining a pull subscription waits for its timeout; acks are done
    return moved


def consume_to_spool(
    url: str,
    spool_root: Path,
    *,
    stream: str = DEFAULT_STREAM,
    prefix: str = DEFAULT_PREFIX,
    durable: str = "lake-ingest",
    batch: int = 1000,
    fetch_timeout: float = 1.0,
    max_batches: int | None = None,
) -> int:
    """Move what the stream holds into sealed spool segments; returns how many records."""
    loop = _LoopThread()
    try:
        return loop.run(
            _consume(
                url, Path(spool_root), stream, prefix, durable, batch, fetch_timeout, max_batches
            ),
            timeout=None,
        )
    finally:
        loop.stop()


def consume_to_lake(url: str, spool_root: Path, lake_root: Path, **kw: Any):
    """Stream -> spool segments -> Parquet lake (``ingest_spool``). Returns the ingest report."""
    from warehouse.ingest import ingest_spool

    consume_to_spool(url, spool_root, **kw)
    return ingest_spool(spool_root, lake_root)
