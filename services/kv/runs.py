"""The batched path: pipelined plain ``GET key`` and ``SET key value`` in ``eventual`` mode,
coordinated together as one run.

The run keeps the versions, quorums and read repair of the general path; its replica requests
of one event-loop turn go to each peer as one message (``services.kv.batching``), and its
requests are answered through one future rather than a task each. A key the path cannot
serve (this node no home of a written key, too few replicas, a peer failing) takes the
general path (``Cluster._keyed``), one request at a time.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from services.kv import commands
from services.kv.quorum import SAMPLE_EVERY, Unavailable
from services.kv.resp import OK, Error
from services.kv.versions import Version, decode, encode, merge, new_version, visible

if TYPE_CHECKING:
    from services.kv.coordinator import Cluster


class RunPath:
    """Mixin of ``Cluster``: the batched GET/SET path."""

    def batchable(self, args: list[bytes], conn: Any) -> bool:
        """Whether ``args`` is a plain ``GET key`` or ``SET key value`` that ``execute_run``
        takes (``eventual`` consistency)."""
        n = len(args)
        if n == 2:
            if args[0].lower() != b"get":
                return False
        elif n != 3 or args[0].lower() != b"set":
            return False
        return conn.overrides.get("consistency", self.config.consistency) == "eventual"

    def execute_run(self, run: list[list[bytes]], conn: Any) -> asyncio.Future:
        """Pipelined ``GET``/``SET`` requests on distinct keys (``batchable``): a future of
        their replies, in order.

        Each key is read or written as ``read`` and ``coordinate`` would (this node's copy and
        R-1 peers' for a read, merged and read-repaired; a write issued here when this node is
        a home of its key, acked by W replicas). Their replica requests go out batched per peer
        (``PeerBatches``), and the whole run shares one future instead of one per request. A
        key this path cannot serve (this node no home of a written key, too few replicas, a
        peer failing) takes the general path."""
        state = _Run(self, len(run), self.quorums(conn))
        for i, args in enumerate(run):
            if len(args) == 2:
                self._run_get(state, i, args, conn)
            else:
                self._run_set(state, i, args, conn)
        state.arm()
        return state.future

    def _run_general(self, state: _Run, i: int, args: list[bytes], conn: Any) -> None:
        cmd = commands.TABLE[args[0].lower()]
        task = asyncio.ensure_future(self._keyed(cmd, args, conn))
        state.pending += 1
        task.add_done_callback(lambda t: state.done(i, task_reply(t)))

    def _run_set(self, state: _Run, i: int, args: list[bytes], conn: Any) -> None:
        key = args[1]
        placement = self.ring.placement(key, self.n, self.down, sloppy=True)
        if self.name not in placement.live:
            self._run_general(state, i, args, conn)  # forwarded to a home, one request
            return
        local = self.replica.get(key)
        for v in local:
            self.hlc.observe(v.hlc)
        version = new_version(local, {}, self.name, self.hlc.now(), args[2], None)
        blob = encode([version])
        self.replica.put(key, [version], blob)
        fanout = placement.memo.get(self.name)
        if fanout is None:  # the other targets, each with the home it stands in for (or b"")
            subs = placement.substitutes
            fanout = placement.memo[self.name] = [
                (t, subs[t].encode() if t in subs else b"")
                for t in placement.targets
                if t != self.name
            ]
        state.expect_write(i, 1 + len(fanout))
        put = self.batches.put
        for target, hint in fanout:
            put(target, key, blob, hint, state, i)

    def _run_get(self, state: _Run, i: int, args: list[bytes], conn: Any) -> None:
        key = args[1]
        placement = self.ring.placement(key, self.n, self.down, sloppy=True)
        candidates = self._order(placement.targets)
        replies: dict[str, list[Version]] = {}
        if candidates and candidates[0] == self.name:
            replies[self.name] = self.replica.get(key)
            candidates = candidates[1:]
        need = state.r - len(replies)
        if need > len(candidates):
            self._run_general(state, i, args, conn)  # too few replicas: that path says so
            return
        if need <= 0:
            state.replies[i] = self._finish_get(key, replies, placement, state.started, [])
            return
        local = self.replica.get_blob(key) if replies else _NO_BLOB
        state.expect_read(i, key, args, conn, replies, placement, local)
        for target in candidates[:need]:
            self.batches.get(target, key, state, i)

    def _finish_get(
        self,
        key: bytes,
        replies: dict[str, list[Version]],
        placement: Any,
        started: float,
        timings: list[float],
    ) -> Any:
        sets = list(replies.values())
        if all(v is sets[0] for v in sets):  # every replica answered this node's own set
            merged, stale = sets[0], []
        else:
            merged = merge(*sets)
            stale = self._stale(key, replies, merged)
        if stale:
            repair = self._repair(key, merged, stale, placement.substitutes)
            self.maintenance.track(asyncio.ensure_future(repair))
        if self._seq % SAMPLE_EVERY == 0:
            local = [0.0] if self.name in replies else []
            self.record("kv_read_replicas", r=len(replies), n=self.n, latencies_ms=local + timings)
        self._count_request(_GET, started)
        got = visible(merged, int(time.time() * 1000))
        return None if got is None else got[0]


def task_reply(task: asyncio.Future) -> Any:
    """What a finished request task answers (an error reply if it failed)."""
    if task.cancelled():
        return Error("ERR node is shutting down")
    exc = task.exception()
    if exc is not None:
        return exc if isinstance(exc, Error) else Error(f"ERR internal error: {exc!r}")
    return task.result()


class _Run:
    """The state of one ``execute_run``: a reply per request, and per request in flight its
    acks (a write) or the replicas' answers so far (a read)."""

    def __init__(self, cluster: Cluster, size: int, quorums: tuple[int, int]) -> None:
        self.cluster = cluster
        self.r, self.w = quorums
        self.replies: list[Any] = [None] * size
        self.pending = 0
        self.armed = False
        self.future = asyncio.get_running_loop().create_future()
        self.started = time.perf_counter()
        self.writes: dict[int, list[Any]] = {}  # i -> [acks, answered, expected, latencies]
        self.reads: dict[int, tuple] = {}  # i -> (key, args, conn, replies, placement, timings,
        #                                      local blob)
        self.local: list[int] = []

    def arm(self) -> None:
        if self.local:
            indices = self.local
            self.cluster.batches.after_local_log(lambda: self._local_durable(indices))
        self.armed = True
        if self.pending == 0:
            self.future.set_result(self.replies)

    def done(self, i: int, reply: Any) -> None:
        self.replies[i] = reply
        self.pending -= 1
        if self.pending == 0 and self.armed and not self.future.done():
            self.future.set_result(self.replies)

    # -- writes ----------------------------------------------------------------------------
    def expect_write(self, i: int, expected: int) -> None:
        self.pending += 1
        self.writes[i] = [0, 0, expected, []]
        self.local.append(i)

    def _local_durable(self, indices: list[int]) -> None:
        for i in indices:
            self._ack(i, True)

    def put_answered(self, i: int, ok: bool, hinted: bool) -> None:
        c = self.cluster
        if ok and hinted:
            c.counters["hints_sent"] += 1
        elif not ok:
            c.counters["peer_errors"] += 1
        self._ack(i, ok)

    def _ack(self, i: int, ok: bool) -> None:
        state = self.writes.get(i)
        if state is None:
            return  # answered already
        state[1] += 1
        if ok:
            state[0] += 1
            state[3].append((time.perf_counter() - self.started) * 1000)
        acks, answered, expected, latencies = state
        if acks < self.w and answered < expected:
            return
        del self.writes[i]
        c = self.cluster
        if acks < self.w:
            c.counters["unavailable"] += 1
            self.done(i, Unavailable(f"Not enough good replicas to write ({acks} of {self.w})."))
            return
        if c._seq % SAMPLE_EVERY == 0:
            c.record("kv_write_replicas", w=self.w, n=c.n, latencies_ms=sorted(latencies))
        c._count_request(_SET, self.started)
        self.done(i, OK)

    # -- reads -----------------------------------------------------------------------------
    def expect_read(
        self,
        i: int,
        key: bytes,
        args: list[bytes],
        conn: Any,
        replies: dict[str, list[Version]],
        placement: Any,
        local: bytes | None | object,
    ) -> None:
        """``local``: this node's own set encoded (``_NO_BLOB``: not read here); a peer that
        answers the same bytes holds the same versions, so its answer needs no decoding."""
        self.pending += 1
        self.reads[i] = (key, args, conn, replies, placement, [], local)

    def get_answered(self, i: int, target: str, reply: Any) -> None:
        state = self.reads.get(i)
        if state is None:
            return
        key, args, conn, replies, placement, timings, local = state
        c = self.cluster
        if isinstance(reply, Exception):
            del self.reads[i]
            c.counters["peer_errors"] += 1
            self.pending -= 1  # handed to the general path, which counts itself
            c._run_general(self, i, args, conn)
            return
        if reply == local:
            replies[target] = replies[self.cluster.name]
        else:
            replies[target] = [] if reply is None else decode(reply)
        timings.append((time.perf_counter() - self.started) * 1000)
        if len(replies) >= self.r:
            del self.reads[i]
            self.done(i, c._finish_get(key, replies, placement, self.started, timings))


commands.load_all()
_GET = commands.TABLE[b"get"]
_NO_BLOB = object()  # no local copy was read, so no answer is compared with it
_SET = commands.TABLE[b"set"]
