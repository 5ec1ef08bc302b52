"""Fan-out between app processes: what one process commits, the others' sockets hear of.

Durability and order live in the shared database; the bus only carries notices. Each process
publishes, in commit order, the rows its writer committed (and ephemeral frames: typing, read
receipts, call signalling) on one Redis pub/sub channel, and every other process hands them
to its hub as if its own writer had committed them. A notice that never arrives costs
latency, not data: a session sends every ``seq`` after the last one it sent, reading from the
store what its live buffer lacks, so duplicates are dropped by ``seq`` and reorders cannot
happen. The embedded default (no ``BLUEPRINT_REDIS_URL``) is in-process: ``LocalBus``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import orjson

from services.chat.model import Message

log = logging.getLogger(__name__)

# Hears items committed (or signalled) by another process, in that process's order.
Remote = Callable[[list[Any]], None]
# Handed to the hub after the subscription was lost and is back: notices may be missing.
RESYNC = ("resync",)


def encode(items: list[Any]) -> list[Any]:
    """The wire form of committed items: rows as field lists, tuples as lists."""
    out: list[Any] = []
    for item in items:
        if isinstance(item, Message):
            out.append(["m", *dataclasses.astuple(item)])
        elif isinstance(item, tuple) and item and item[0] in ("to_device", "frame"):
            out.append(list(item))
    return out


def decode(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if item[0] == "m":
            out.append(Message(*item[1:]))
        else:
            out.append(tuple(item))
    return out


class LocalBus:
    """One process: nobody else to tell."""

    origin = "local"
    shared = False  # presence and connections are this process's own

    def start(self, remote: Remote) -> None:
        """Nothing arrives from elsewhere."""

    def publish(self, items: list[Any]) -> None:
        """Nothing to send."""

    def close(self) -> None:
        """Nothing held."""


class RedisBus:
    """Redis pub/sub on ``channel``; a thread publishes (in order), another listens."""

    shared = True  # other processes hold sockets too: ask the shared presence

    def __init__(self, url: str, channel: str, *, queue_size: int = 100_000) -> None:
        import redis

        self._redis = redis
        self.url = url
        self.channel = channel
        self.origin = uuid.uuid4().hex
        self._out: queue.Queue[bytes | None] = queue.Queue(queue_size)
        self._stop = threading.Event()
        self._remote: Remote | None = None
        self._threads: list[threading.Thread] = []
        self.published = 0
        self.received = 0
        self.dropped = 0

    def _client(self) -> Any:
        return self._redis.Redis.from_url(
            self.url, socket_timeout=2.0, socket_connect_timeout=2.0, health_check_interval=10
        )

    def start(self, remote: Remote) -> None:
        self._remote = remote
        ready = threading.Event()
        for target, name in ((self._listen, "chat-bus-in"), (self._send, "chat-bus-out")):
            th = threading.Thread(target=target, args=(ready,), name=name, daemon=True)
            th.start()
            self._threads.append(th)
        ready.wait(5.0)  # subscribed before this process accepts sockets (or Redis is down)

    def publish(self, items: list[Any]) -> None:
        wire = encode(items)
        if not wire:
            return
        try:
            self._out.put_nowait(orjson.dumps({"o": self.origin, "i": wire}))
        except queue.Full:  # Redis unreachable for long: others catch up on their next notice
            self.dropped += 1

    def _send(self, _ready: threading.Event) -> None:
        client = self._client()
        while True:
            payload = self._out.get()
            if payload is None:
                break
            while not self._stop.is_set():
                try:
                    client.publish(self.channel, payload)
                    self.published += 1
                    break
                except (self._redis.RedisError, OSError) as exc:
                    log.warning("chat bus: publish failed (%s); retrying", exc)
                    time.sleep(0.2)
        with contextlib.suppress(Exception):
            client.close()

    def _listen(self, ready: threading.Event) -> None:
        lost = False
        while not self._stop.is_set():
            client = self._client()
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self.channel)
                ready.set()
                if lost:  # notices published meanwhile never come: re-read the store
                    lost = False
                    self._hand([RESYNC])
                while not self._stop.is_set():
                    msg = pubsub.get_message(timeout=0.5)
                    if msg is None or msg.get("type") != "message":
                        continue
                    self._deliver(msg["data"])
            except (self._redis.RedisError, OSError) as exc:
                ready.set()
                lost = True
                log.warning("chat bus: subscription lost (%s); resubscribing", exc)
                time.sleep(0.2)
            finally:
                with contextlib.suppress(Exception):
                    pubsub.close()
                    client.close()

    def _deliver(self, data: bytes) -> None:
        try:
            payload = orjson.loads(data)
            if payload.get("o") == self.origin:
                return
            items = decode(payload["i"])
        except (orjson.JSONDecodeError, KeyError, TypeError, IndexError, AttributeError):
            log.warning("chat bus: unreadable notice ignored")
            return
        self.received += 1
        self._hand(items)

    def _hand(self, items: list[Any]) -> None:
        if self._remote is not None:
            try:
                self._remote(items)
            except Exception:  # noqa: BLE001 - one bad listener must not stop the bus
                log.exception("chat bus: listener failed")

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(queue.Full):
            self._out.put_nowait(None)
        for th in self._threads:
            th.join(3.0)


def make_bus(redis_url: str | None, channel: str) -> LocalBus | RedisBus:
    """Redis pub/sub when the platform has a Redis (the first of ``BLUEPRINT_REDIS_URL``),
    otherwise in-process."""
    urls = [u.strip() for u in (redis_url or "").split(",") if u.strip()]
    if not urls:
        return LocalBus()
    return RedisBus(urls[0], channel)
