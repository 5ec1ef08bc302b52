"""Read-modify-write commands, run one key at a time at the key's serialiser.

Read-modify-write commands on one key (INCR, INCRBY, DECR, DECRBY, INCRBYFLOAT, APPEND,
SETRANGE, GETSET, GETDEL, GETEX, SET with options, SETNX, EXPIRE, DEL, ...: every write command
naming one key except the blind ``SET key value``) are *serialised*: whichever node a client
sent one to, it runs at the key's serialiser, the first live home in the key's preference list
(forwarded there as ``KV.R.RMW``), in a per-key queue: one at a time per key, the serialiser
reads (at R; in ``linearizable`` mode the ABD majority read), runs the commands waiting (in
queue order, on one view) and writes the result (at W, with a version whose context dominates
every version read), then answers them. Two increments through different coordinators
therefore never read the same value, and an acknowledged one is on W replicas, which the next
serialiser's read (R + W > N) sees even after the first serialiser dies (if a stand-in took
part in the write's quorum, as in any sloppy quorum, only once its hint is replayed).
Per mode:

- ``eventual``: read-modify-writes of a key are atomic with respect to one another while the
  nodes agree on its first live home. When they disagree (a home just died and only some
  coordinators have noticed, or a partition), two serialisers may briefly run; their writes
  then become siblings and last-writer-wins keeps one, so an update can be lost in that window
  (never in a cluster whose members are all up, nor by a clean kill: a serialiser that refuses
  connections is skipped by every coordinator alike). A blind ``SET`` racing a read-modify-
  write is also resolved by last-writer-wins. Multi-key commands (``RENAME``, ``COPY``,
  ``MSETNX``) are not serialised.
- ``linearizable``: every single-key history of ``GET`` and ``SET`` is linearizable (ABD), and
  read-modify-writes are linearizable under the same proviso: one serialiser at a time. The
  serialiser's queue is not a lease; a serialiser cut off from the others while still believed
  alive could race its successor. A forward whose outcome is unknown (a timeout after
  sending) is reported as an error, never retried elsewhere, so nothing is applied twice.

A serialiser that is paused rather than dead keeps its keys' read-modify-writes waiting (a
forward times out as "outcome unknown") until the failure detector declares it dead; then the
next live home takes over.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

from services.kv import commands
from services.kv.peers import PeerError
from services.kv.quorum import Unavailable, View
from services.kv.resp import Error, Status
from services.kv.versions import context_of, visible

MAX_COMBINE = 256  # read-modify-writes of one key applied with one quorum read and write


class SerialisedWrites:
    """Mixin of ``Cluster``: read-modify-writes at the key's serialiser."""

    async def _serialised(
        self, cmd: commands.Command, args: list[bytes], conn: Any, key: bytes
    ) -> Any:
        """Run a one-key write command at the key's serialiser (see the module docstring)."""
        lin = self.linearizable(conn)
        placement = self.ring.placement(key, self.n, self.down, sloppy=not lin)
        r, w = self.quorums(conn)
        mode = b"L" if lin else b"E"
        for home in placement.live:
            if home == self.name:
                return await self.read_modify_write(cmd, args, conn, key)
            try:
                self.counters["rmw_forwarded"] += 1
                reply = await self.forwards[home].call(
                    b"KV.R.RMW",
                    mode,
                    b"%d" % r,
                    b"%d" % w,
                    *args,
                    timeout_s=3 * self.config.request_timeout_s,
                )
            except PeerError as exc:
                if "cannot connect" in str(exc):
                    continue  # never sent: the next live home serialises instead
                self.counters["peer_errors"] += 1
                raise Unavailable("The key's serialiser did not answer: outcome unknown.") from None
            return unwrap_reply(reply)
        self.counters["unavailable"] += 1
        raise Unavailable("Not enough good replicas to write.")

    async def read_modify_write(
        self, cmd: commands.Command, args: list[bytes], conn: Any, key: bytes
    ) -> Any:
        """At the serialiser: queue the command behind the key's others; one drain per key
        runs them in order (``_drain``), so no two read-modify-writes of the key interleave."""
        fut = asyncio.get_running_loop().create_future()
        queue = self._rmw.get(key)
        if queue is None:
            queue = self._rmw[key] = deque()
            queue.append((cmd, args, conn, fut))
            self.maintenance.track(asyncio.ensure_future(self._drain(key, queue)))
        else:
            queue.append((cmd, args, conn, fut))
        return await fut

    async def _drain(self, key: bytes, queue: deque) -> None:
        """Run the key's queued read-modify-writes: those waiting together (with the same
        mode and quorums) share one read at R and one write at W, applied in queue order to
        one view (combining: a hot counter costs one quorum round per batch, not per INCR),
        and all are answered once that write is acknowledged."""
        try:
            while queue:
                first = queue[0][2]
                settings = (self.linearizable(first), self.quorums(first))
                batch = []
                while queue and len(batch) < MAX_COMBINE:
                    c = queue[0][2]
                    if c is not first and (self.linearizable(c), self.quorums(c)) != settings:
                        break
                    batch.append(queue.popleft())
                replies = await self._apply_batch(key, batch, first)
                for (_, _, _, fut), reply in zip(batch, replies, strict=True):
                    if not fut.done():
                        fut.set_result(reply)
        finally:
            for *_, fut in queue:
                if not fut.done():
                    fut.set_result(Error("ERR node is shutting down"))
            if self._rmw.get(key) is queue:
                del self._rmw[key]

    async def _apply_batch(self, key: bytes, batch: list[tuple], conn: Any) -> list[Any]:
        self.counters["rmw_serialised"] += len(batch)
        self.counters["rmw_combined"] += len(batch) - 1
        try:
            versions = await self.read(key, conn)
            now = int(time.time() * 1000)
            view = View({key: visible(versions, now)}, now)
            replies: list[Any] = []
            for cmd, args, c, _ in batch:
                values, writes = dict(view.values), dict(view.writes)
                try:
                    replies.append(cmd.handler(view, args, c))
                except Error as err:
                    view.values, view.writes = values, writes  # a failed command changes nothing
                    replies.append(err)
            if key in view.writes:
                await self.write(key, view.writes[key], context_of(versions), conn)
        except Error as err:
            return [err] * len(batch)
        except Exception as exc:  # never leave a waiter hanging
            return [Error(f"ERR internal error: {exc!r}")] * len(batch)
        return replies

    def _replica_rmw(self, args: list[bytes]) -> Any:
        """``KV.R.RMW mode r w command...``: a read-modify-write forwarded to this node as the
        key's serialiser, answered wrapped (``wrap_reply``) so errors and statuses survive.
        Its quorums are checked before it starts."""
        _, mode, r, w, *request = args
        cmd = commands.lookup(request)
        if isinstance(cmd, Error) or not cmd.write or len(set(cmd.keys(request))) != 1:
            return wrap_reply(Error("ERR not a one-key write command"))
        if min(int(r), int(w)) < 1:
            raise ValueError("quorums below 1")
        conn = _Forwarded(self.config, mode == b"L", int(r), int(w))
        return self._forwarded_rmw(cmd, request, conn)

    async def _forwarded_rmw(self, cmd: commands.Command, request: list[bytes], conn: Any) -> Any:
        try:
            reply = await self.read_modify_write(cmd, request, conn, cmd.keys(request)[0])
        except Error as err:
            reply = err
        return wrap_reply(reply)


class _Forwarded:
    """The settings of the connection a forwarded read-modify-write came from."""

    def __init__(self, config: Any, lin: bool, r: int, w: int) -> None:
        self.config = config  # the handlers' limits (proto-max-bulk-len)
        self.overrides = {"consistency": "linearizable" if lin else "eventual", "r": r, "w": w}


def wrap_reply(reply: Any) -> list[Any]:
    """A reply as ``[kind, value]``: an error or a status would not cross a peer link as
    themselves (the peer client raises on errors and reads statuses as bulk strings)."""
    if isinstance(reply, Error):
        return [b"e", reply.message.encode()]
    if isinstance(reply, Status):
        return [b"s", str(reply).encode()]
    return [b"v", reply]


def unwrap_reply(wrapped: Any) -> Any:
    kind, value = wrapped
    if kind == b"e":
        return Error(value.decode("utf-8", "replace"))
    if kind == b"s":
        return Status(value.decode())
    return value
