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
from typing import Any

from mypy_extensions import mypyc_attr

from services.kv import commands
from services.kv.batching import Segment
from services.kv.quorum import SAMPLE_EVERY
from services.kv.resp import Error
from services.kv.ring import Placement
from services.kv.run_state import PendingRead, RunState, versions_of
from services.kv.versions import (
    Version,
    blob_dots,
    dots,
    issue_blob,
    seen_by_write_over,
    seen_by_write_over_blob,
    visible,
)


@mypyc_attr(allow_interpreted_subclasses=True)  # ``Cluster`` is not compiled
class RunPath:
    """Mixin of ``Cluster``: the batched GET/SET path."""

    # The attributes of ``Cluster`` it uses; its methods are called through ``cluster: Any``.
    name: str
    config: Any
    replica: Any
    ring: Any
    hlc: Any
    own_chain: Any
    batches: Any
    fanouts: dict[tuple, tuple]
    maintenance: Any
    down: Any
    _seq: int
    _write_seq: int

    def batchable(self, args: list[bytes], conn: Any) -> bool:
        """Whether ``args`` is a plain ``GET key`` or ``SET key value`` that ``execute_run``
        takes (``eventual`` consistency)."""
        if not plain_get_or_set(args):
            return False
        return conn.overrides.get("consistency", self.config.consistency) == "eventual"

    def execute_run(self, run: list[list[bytes]], conn: Any) -> asyncio.Future:
        """Pipelined ``GET``/``SET`` requests on distinct keys (``batchable``): a future of
        their replies, in order.

        Each key is read or written as ``read`` and ``coordinate`` would (this node's copy and
        R-1 peers' for a read, merged and read-repaired; a write issued here when this node is
        a home of its key, acked by W replicas). Their replica requests go out batched per peer
        (``PeerBatches``; reads as digest reads when this node holds a copy), and the whole run
        shares one future instead of one per request. A key this path cannot serve (this node
        no home of a written key, too few replicas, a peer failing) takes the general path."""
        cluster: Any = self  # the general path's methods, on ``Cluster``
        state = RunState(cluster, len(run), cluster.quorums(conn))
        placements = self.ring.placements([args[1] for args in run], cluster.n, self.down)
        gets: list[int] = []
        sets: list[int] = []
        for i, args in enumerate(run):
            (gets if len(args) == 2 else sets).append(i)
        if gets:
            self._run_gets(state, gets, run, conn, placements)
        if sets:
            self._run_sets(state, sets, run, conn, placements)
        state.arm()
        return state.future

    def _run_general(self, state: RunState, i: int, args: list[bytes], conn: Any) -> None:
        cmd = commands.TABLE[args[0].lower()]
        cluster: Any = self  # the general path's methods, on ``Cluster``
        task = asyncio.ensure_future(cluster._keyed(cmd, args, conn))
        state.pending += 1
        task.add_done_callback(lambda t: state.done(i, task_reply(t)))

    def _run_sets(
        self,
        state: RunState,
        sets: list[int],
        run: list[list[bytes]],
        conn: Any,
        placements: list[Placement],
    ) -> None:
        """The run's ``SET`` requests (indices ``sets``), in one loop: each issues its version
        here (a dot after every one this node holds for the key, an HLC stamp after theirs),
        logs it, and hands it to the key's other targets; the keys this node is no home of
        take the general path. The versions are stored and logged together at the end (the
        run's keys are distinct); the writes are answered once W replicas took them, this
        node's log counting as one (``RunState.arm``)."""
        name = self.name
        replica = self.replica
        get = replica.get
        held_now = None if replica.hints else replica.data  # hints held: read through ``get``
        hlc = self.hlc
        ms, logical = hlc.ms, hlc.logical
        pt = int(time.time() * 1000)
        keys: list[bytes] = []
        blobs: list[bytes] = []
        size = len(run)  # per entry of the run: acks (-1: no write in flight), answers
        state.acks, state.answered, state.expected = [-1] * size, [0] * size, [0] * size
        acks, expected, sampled = state.acks, state.expected, state.sampled
        local_writes = state.local
        puts = state.puts
        own = self.own_chain
        seq = self._write_seq
        fanouts = self.fanouts
        last_fanout: tuple | None = None
        segments: list[tuple[Segment, bytes]] = []
        by_fanout: dict[int, list[tuple[Segment, bytes]]] = {}
        for i in sets:
            args = run[i]
            key = args[1]
            placement = placements[i]
            fanout = placement.memo.get(name)
            if fanout is None:  # the other targets, each with its hint argument (encoded)
                if name not in placement.live:
                    self._run_general(state, i, args, conn)  # forwarded to a home
                    continue
                subs = placement.substitutes
                fanout = tuple(
                    sorted(
                        (t, _bulk(subs[t].encode()) if t in subs else _NO_HINT)
                        for t in placement.targets
                        if t != name
                    )
                )  # one object for every range with the same targets, in any order
                fanout = placement.memo[name] = fanouts.setdefault(fanout, fanout)
            # What the write has seen, and the clock observes what it supersedes
            # (``HLC.observe``): a version held encoded is read without decoding it, and
            # over this node's own chain (the common case) issued in one packing.
            held = None if held_now is None else dict.get(held_now, key)
            chain = own.seen(held) if type(held) is bytes else None
            if chain is not None:
                seen, stamp = chain
                if stamp > (ms, logical):
                    ms, logical = stamp
            else:
                over = None if type(held) is not bytes else seen_by_write_over_blob(held)
                if over is not None:
                    ctx, stamp = over
                    if stamp > (ms, logical):
                        ms, logical = stamp
                elif held is None and held_now is not None:
                    ctx = {}
                else:
                    local = get(key)
                    for v in local:
                        if v.hlc > (ms, logical):
                            ms, logical = v.hlc
                    ctx = seen_by_write_over(local)
            if pt > ms:  # ``HLC.now``, with one reading of the wall clock per run
                ms, logical = pt, 0
            else:
                logical += 1
            if chain is not None:
                blob = own.issue(seen, (ms, logical), args[2])
            else:
                blob = issue_blob(ctx, name, (ms, logical), args[2])
            keys.append(key)
            blobs.append(blob)
            seq += 1
            # One write in SAMPLE_EVERY keeps its replicas' ack latencies (for the lake's PBS).
            acks[i] = 0
            expected[i] = 1 + len(fanout)
            if seq % SAMPLE_EVERY == 0:
                sampled[i] = []
            local_writes.append(i)
            body = b"$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, len(blob), blob)
            if fanout is not last_fanout:  # the segments of its targets, found once a run
                last_fanout = fanout
                found = by_fanout.get(id(fanout))  # interned: the id stays its own
                if found is None:
                    found = by_fanout[id(fanout)] = [
                        (puts.get(t) or puts.setdefault(t, Segment()), h) for t, h in fanout
                    ]
                segments = found
            for seg, hint in segments:
                seg.indices.append(i)
                parts = seg.parts
                parts.append(body)
                parts.append(hint)
                if hint is not _NO_HINT:
                    seg.hinted += 1
        hlc.ms, hlc.logical = ms, logical
        self._write_seq = seq
        state.pending += len(keys)
        if keys:
            replica.put_own_many(keys, blobs)

    def _run_gets(
        self,
        state: RunState,
        gets: list[int],
        run: list[list[bytes]],
        conn: Any,
        placements: list[Placement],
    ) -> None:
        """The run's ``GET`` requests (indices ``gets``), in one loop. The common case (R=2,
        this node first in the key's read order, no hints held) is this node's copy and a
        digest read of the next replica (``_run_get``'s, inlined); the rest go one by one
        through ``_run_get``."""
        name = self.name
        order_key = state.order_key
        replica = self.replica
        held_now = None if state.r != 2 or replica.hints else replica.data
        digests = state.digests
        checks = state.checks
        last_order: list[str] | None = None
        seg = Segment()
        for i in gets:
            args = run[i]
            order = placements[i].memo.get(order_key)
            if held_now is None or order is None or len(order) < 2 or order[0] != name:
                self._run_get(state, i, args, conn, placements[i])
                continue
            key = args[1]
            local = dict.get(held_now, key)  # ``_local_copy``, inlined
            if local is None:
                local = []
            elif type(local) is bytes and local[0] != 1:
                local = replica.get(key)  # siblings held encoded: decoded
            digests[i] = (local, args, conn, placements[i])
            sig = blob_dots(local) if isinstance(local, bytes) else dots(local)
            if order is not last_order:
                last_order = order
                seg = checks.get(order[1]) or checks.setdefault(order[1], Segment())
            seg.indices.append(i)
            seg.parts.append(b"$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, len(sig), sig))
            state.pending += 1

    def _run_get(
        self, state: RunState, i: int, args: list[bytes], conn: Any, placement: Placement
    ) -> None:
        key = args[1]
        memo = placement.memo
        order = memo.get(state.order_key)
        if order is None:  # this node first, then the others in preference order
            cluster: Any = self  # the general path's methods, on ``Cluster``
            order = memo[state.order_key] = cluster._order(placement.targets)
        if order and order[0] == self.name:
            local = self._local_copy(key)
            need = state.r - 1
            if need > len(order) - 1:
                self._run_general(state, i, args, conn)  # too few replicas: that path says so
                return
            if need <= 0:
                mine = {self.name: versions_of(local)}
                state.replies[i] = self._finish_get(key, mine, placement, state)
                return
            if need == 1:  # a digest read of one peer (R=2): kept as a tuple until it differs
                state.digests[i] = (local, args, conn, placement)
                state.pending += 1
            else:
                state.expect_read(i, PendingRead(key, args, conn, placement, local, need))
            sig = blob_dots(local) if isinstance(local, bytes) else dots(local)
            part = b"$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, len(sig), sig)
            checks = state.checks
            for target in order[1 : 1 + need]:
                seg = checks.get(target)
                if seg is None:
                    seg = checks[target] = Segment()
                seg.indices.append(i)
                seg.parts.append(part)
            return
        need = state.r
        if need > len(order):
            self._run_general(state, i, args, conn)
            return
        state.expect_read(i, PendingRead(key, args, conn, placement, None, need))
        for target in order[:need]:
            self.batches.get(target, key, state, i)

    def _local_copy(self, key: bytes) -> list[Version] | bytes:
        """This node's versions of ``key`` for a read, or the blob of the one version it holds
        encoded: a read whose replicas agree shows the value off the blob and keeps no
        decoded objects."""
        replica = self.replica
        if not replica.hints:
            held = dict.get(replica.data, key)
            if held is None:
                return []
            if type(held) is not bytes or held[0] == 1:
                return held
        return replica.get(key)

    def _finish_get(
        self, key: bytes, replies: dict[str, list[Version]], placement: Any, state: RunState
    ) -> Any:
        cluster: Any = self  # the general path's methods, on ``Cluster``
        merged, stale = cluster._reconcile(key, replies)
        if stale:
            repair = cluster._repair(key, merged, stale, placement.substitutes)
            self.maintenance.track(asyncio.ensure_future(repair))
        if self._seq % SAMPLE_EVERY == 0:
            waited = (time.perf_counter() - state.started) * 1000
            local = [0.0] if self.name in replies else []
            peers = [waited] * (len(replies) - len(local))
            latencies = local + peers
            cluster.record("kv_read_replicas", r=len(replies), n=cluster.n, latencies_ms=latencies)
        cluster._count_request(_GET, state.started)
        got = visible(merged, int(time.time() * 1000))
        return None if got is None else got[0]


def plain_get_or_set(args: list[bytes]) -> bool:
    """Whether ``args`` is ``GET key`` or ``SET key value`` (no options)."""
    n = len(args)
    if n == 2:
        return args[0] in _GET_NAMES or args[0].lower() == b"get"
    if n == 3:
        return args[0] in _SET_NAMES or args[0].lower() == b"set"
    return False


_GET_NAMES = frozenset((b"GET", b"get"))
_SET_NAMES = frozenset((b"SET", b"set"))


def task_reply(task: asyncio.Future) -> Any:
    """What a finished request task answers (an error reply if it failed)."""
    if task.cancelled():
        return Error("ERR node is shutting down")
    exc = task.exception()
    if exc is not None:
        return exc if isinstance(exc, Error) else Error(f"ERR internal error: {exc!r}")
    return task.result()


def _bulk(raw: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(raw), raw)


commands.load_all()
_GET = commands.TABLE[b"get"]
_NO_HINT = _bulk(b"")  # the hint argument of a replica put to one of the key's own homes
