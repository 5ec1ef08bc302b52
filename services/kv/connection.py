"""A client connection of a node: RESP requests in, replies out in request order.

Requests are parsed by ``resp.RequestReader`` (hiredis). On a single node they run in order and
their replies are written only once the writes they made are durable (group commit,
``wal.py``). In a cluster most replies wait on peers: pipelined requests on different keys run
concurrently (plain ``GET``/``SET`` on distinct keys handed to the coordinator together as one
run), one on a key in flight (or one naming no key) waits for those before it, and replies are
sent in request order. A connection whose client stops reading is paused (the transport's
high-water mark), and one whose client sends faster than the node answers stops being read
(``MAX_QUEUED``), so nothing grows without bound.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import types
from collections import deque
from functools import partial
from typing import TYPE_CHECKING, Any

from services.kv import commands
from services.kv.resp import BULK_HEADS, OK, Error, RequestReader, encode, encode3
from services.kv.runs import plain_get_or_set

if TYPE_CHECKING:
    from services.kv.node import Node, NodeConfig

commands.load_all()
_IDS = itertools.count(1)


MAX_QUEUED = 4096  # parsed requests a cluster connection may hold before reading pauses
MAX_INFLIGHT = 32  # concurrent requests per connection in a cluster (beyond: backpressure)
MAX_RUN = 1024  # pipelined GET/SET requests a cluster coordinates together


class _Done:
    """A reply already known, queued behind replies still in flight."""

    def __init__(self, reply: Any) -> None:
        self.reply = reply

    def done(self) -> bool:
        return True


_KEYED_INTERNAL = {b"kv.r.get", b"kv.r.put", b"kv.r.coord", b"kv.siblings"}
# Batches of replica puts and gets: puts merge version sets (they commute) and each batch is
# applied as it is read, so batches need no order among themselves.
_UNORDERED_INTERNAL = {b"kv.r.mput", b"kv.r.mget", b"kv.r.mcheck"}
_NO_KEYS: frozenset[bytes] = frozenset()
_OK = b"+OK\r\n"
_NULL_BULK = b"$-1\r\n"


def _request_keys(args: list[bytes]) -> frozenset[bytes] | None:
    """The keys a request names; None for a request that must wait for everything before it."""
    name = args[0].lower()
    if name in _KEYED_INTERNAL and len(args) > 1:
        return frozenset((args[1],))
    if name in _UNORDERED_INTERNAL:
        return _NO_KEYS
    if name == b"kv.r.rmw":
        # Forwarded read-modify-writes: the key's queue at the serialiser orders them (and
        # combines those waiting together), so they need no order on the connection.
        return _NO_KEYS
    cmd = commands.TABLE.get(name)
    if cmd is None or cmd.first_key == 0:
        return None
    return frozenset(cmd.keys(args))


class Connection(asyncio.Protocol):
    """One client: requests in order, replies after their writes are durable."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.id = next(_IDS)
        self.name: bytes | None = None
        self.reader = RequestReader(node.config.proto_max_bulk_len + 64 * 1024)
        self.queue: deque[list[bytes]] = deque()
        self.busy = False
        self.closing = False
        self.fatal: Error | None = None
        self.transport: asyncio.Transport | None = None
        self.peer = ""
        self.overrides: dict[str, Any] = {}
        self.created = time.time()
        self.proto = 2
        self.encode = encode
        self.inflight: deque[list] = deque()
        self.busy_keys: set[bytes] = set()
        self.running = 0
        self.read_paused = False
        self._wbuf: list[bytes] = []
        self._wflush = False

    def set_proto(self, version: int) -> None:
        self.proto = version
        self.encode = encode3 if version == 3 else encode

    @property
    def config(self) -> NodeConfig:
        return self.node.config

    def describe(self) -> str:
        name = (self.name or b"").decode("ascii", "replace")
        age = int(time.time() - self.created)
        return f"id={self.id} addr={self.peer} laddr={self.node.address} name={name} age={age} db=0"

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if peer else "?"
        node = self.node
        node.stats["connections"] += 1
        if len(node.connections) >= node.config.maxclients or node.draining:
            node.stats["rejected"] += 1
            transport.write(b"-ERR max number of clients reached\r\n")  # type: ignore[attr-defined]
            transport.close()
            return
        node.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.node.connections.discard(self)
        self.queue.clear()

    def pause_writing(self) -> None:
        if self.transport is not None:
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.transport is not None and not self.busy:
            self.transport.resume_reading()

    def data_received(self, data: bytes) -> None:
        if self.fatal is not None or self.closing:
            return
        self.queue.extend(self.reader.feed(data))
        if len(self.queue) > MAX_QUEUED and self.transport is not None:
            self.transport.pause_reading()  # resumed once the queue drains (_run_pipelined)
            self.read_paused = True
        if self.reader.error is not None:
            self.node.stats["protocol_errors"] += 1
            self.fatal = self.reader.error
        if not self.busy:
            self._run()

    def _run(self) -> None:
        if self.node.cluster is not None:
            self._run_pipelined()
            return
        out: list[bytes] = []
        node = self.node
        while self.queue and not self.closing:
            args = self.queue.popleft()
            node.stats["commands"] += 1
            reply = node.execute(args, self)  # before self.encode: HELLO may change it
            self.encode(reply, out)
        if self.fatal is not None:
            encode(self.fatal, out)
            self.closing = True
        self._send(out)

    # In a cluster most replies wait on peers: pipelined requests on different keys run
    # concurrently, one on a key in flight (or one naming no key) waits for those before it,
    # and replies are sent in request order.
    def _run_pipelined(self) -> None:
        node = self.node
        cluster = node.cluster
        while self.queue and not self.closing and self.running < MAX_INFLIGHT:
            args = self.queue[0]
            if cluster.batchable(args, self):
                if not self._start_run(cluster):
                    break
                continue
            keys = _request_keys(args)
            if self.running and (keys is None or not keys.isdisjoint(self.busy_keys)):
                break
            self.queue.popleft()
            node.stats["commands"] += 1
            reply = node.execute(args, self)
            if type(reply) is types.CoroutineType:
                reply = asyncio.ensure_future(reply)
            if isinstance(reply, asyncio.Future):  # a task, or a batched request's future
                task = reply
                node.tasks.add(task)
                entry = [task, keys or frozenset()]
                self.busy_keys.update(entry[1])
                self.running += 1
                task.add_done_callback(partial(self._finished, entry=entry))
                self.inflight.append(entry)
            else:
                self.inflight.append([_Done(reply), frozenset()])
        if self.read_paused and len(self.queue) < MAX_QUEUED // 2 and self.transport is not None:
            self.read_paused = False
            self.transport.resume_reading()
        if self.fatal is not None and not self.queue and not self.closing:
            self.inflight.append([_Done(self.fatal), frozenset()])
            self.closing = True
        self._flush_done()

    def _start_run(self, cluster: Any) -> bool:
        """Hand the queue's leading plain GET/SET requests on distinct keys (none in flight)
        to the cluster as one run; False if the first must wait for one in flight."""
        run: list[list[bytes]] = []
        keys: set[bytes] = set()
        busy = self.busy_keys
        queue = self.queue
        # The first request passed ``batchable``; the connection's consistency cannot change
        # within a run (a command that changes it is not a plain GET or SET).
        while queue and len(run) < MAX_RUN:
            args = queue[0]
            if not plain_get_or_set(args):
                break
            key = args[1]
            if key in keys or key in busy:
                break
            run.append(queue.popleft())
            keys.add(key)
        if not run:
            return False
        self.node.stats["commands"] += len(run)
        fut = cluster.execute_run(run, self)
        entry = [fut, frozenset(keys), len(run)]  # a third item: the result is a list of replies
        if fut.done():
            self.inflight.append(entry)
            entry[1] = frozenset()
            return True
        self.node.tasks.add(fut)
        self.busy_keys.update(keys)
        self.running += 1
        fut.add_done_callback(partial(self._finished, entry=entry))
        self.inflight.append(entry)
        return True

    def _finished(self, task: asyncio.Future, entry: list) -> None:
        self.node.tasks.discard(task)
        self.running -= 1
        self.busy_keys.difference_update(entry[1])
        entry[1] = frozenset()
        self._flush_done()
        if self.queue and not self.closing:
            self._run_pipelined()

    def _flush_done(self) -> None:
        out: list[bytes] = []
        while self.inflight and self.inflight[0][0].done():
            entry = self.inflight.popleft()
            task = entry[0]
            if len(entry) == 3:  # a run: one reply per request
                if task.cancelled():
                    for reply in [Error("ERR node is shutting down")] * entry[2]:
                        self.encode(reply, out)
                    continue
                self._encode_run(task.result(), out)
                continue
            if isinstance(task, _Done):
                reply = task.reply
            elif task.cancelled():
                reply = Error("ERR node is shutting down")
            elif task.exception() is not None:
                exc = task.exception()
                reply = exc if isinstance(exc, Error) else Error(f"ERR internal error: {exc!r}")
            else:
                reply = task.result()
            if reply is self.fatal:
                encode(reply, out)
            else:
                self.encode(reply, out)
        if out or (self.closing and not self.inflight):
            # Replies finished in one turn of the event loop leave in one write. With nothing
            # left in flight none can join them, so they leave now rather than a turn later.
            self._wbuf.extend(out)
            if not self.inflight:
                self._flush_writes()
            elif not self._wflush:
                self._wflush = True
                asyncio.get_running_loop().call_soon(self._flush_writes)

    def _encode_run(self, replies: list[Any], out: list[bytes]) -> None:
        """A run's replies: those of a plain GET or SET inline (the same bytes ``encode``
        writes), anything else through ``encode``."""
        if replies.count(OK) == len(replies):  # a run of SETs, all taken
            out.append(_OK * len(replies))
            return
        enc = self.encode
        null = _NULL_BULK if self.proto == 2 else b"_\r\n"
        append = out.append
        heads = BULK_HEADS
        for reply in replies:
            if reply is OK:
                append(_OK)
            elif type(reply) is bytes:
                size = len(reply)
                append(heads[size] if size < 4096 else b"$%d\r\n" % size)
                append(reply)
                append(b"\r\n")
            elif reply is None:
                append(null)
            else:
                enc(reply, out)

    def _flush_writes(self) -> None:
        self._wflush = False
        out, self._wbuf = self._wbuf, []
        self._send(out)

    def _send(self, out: list[bytes]) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        store = self.node.store
        if out and store is not None and store.pending and self.node.cluster is None:
            data = b"".join(out)
            self.busy = True
            transport.pause_reading()
            store.on_durable(lambda: self._durable(data))
            return
        if out:
            transport.write(b"".join(out) if len(out) > 1 else out[0])
        if self.closing:
            transport.close()

    def _durable(self, data: bytes) -> None:
        transport = self.transport
        self.busy = False
        if transport is None or transport.is_closing():
            return
        transport.write(data)
        if self.closing:
            transport.close()
            return
        transport.resume_reading()
        if self.queue:
            self._run()
