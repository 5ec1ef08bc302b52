"""The state of one run of the batched path (``services.kv.runs``): a reply per request, and
per request in flight its acks (a write) or the replicas' answers so far (a read). Replica
answers reach it in bulk where a whole segment agrees (``puts_taken``, ``checks_agreed``) and
one by one otherwise.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from services.kv import commands
from services.kv.batching import Segment
from services.kv.quorum import Unavailable
from services.kv.resp import OK
from services.kv.ring import Placement
from services.kv.versions import Version, blob_value, decode, visible

if TYPE_CHECKING:
    from services.kv.coordinator import Cluster


class RunState:
    """One ``execute_run``'s state (see the module docstring)."""

    def __init__(self, cluster: Cluster, size: int, quorums: tuple[int, int]) -> None:
        self.cluster = cluster
        self.r, self.w = quorums
        self.replies: list[Any] = [None] * size
        self.pending = 0
        self.armed = False
        self.future = asyncio.get_running_loop().create_future()
        self.started = time.perf_counter()
        # Per entry, for the writes: acks so far (-1: none in flight), answers so far, and
        # answers to expect; the replicas' ack latencies of the sampled ones (for PBS).
        self.acks: list[int] = []
        self.answered: list[int] = []
        self.expected: list[int] = []
        self.sampled: dict[int, list[float]] = {}
        self.reads: dict[int, PendingRead] = {}
        # i -> (this node's copy, request, connection, placement): a read that needs one
        # peer's digest, the common case, with no ``PendingRead`` until the peer's copy differs
        self.digests: dict[int, tuple[Any, list[bytes], Any, Placement]] = {}
        self.order_key = cluster.order_key  # the placement memo of reads' replica order
        self.local: list[int] = []
        self.puts: dict[str, Segment] = {}  # target -> the replica puts for it
        self.checks: dict[str, Segment] = {}  # target -> the digest reads for it

    def arm(self) -> None:
        """Hand the run's replica requests over (one segment per peer) and its local writes'
        wait for the log; the future is settled when every request is answered."""
        batches = self.cluster.batches
        for target, seg in self.puts.items():
            batches.put_segment(target, self, seg)
        for target, seg in self.checks.items():
            batches.check_segment(target, self, seg)
        if self.local:
            indices = self.local
            batches.after_local_log(lambda: self.puts_taken(indices, 0))
        self.armed = True
        if self.pending == 0:
            self.future.set_result(self.replies)

    def done(self, i: int, reply: Any) -> None:
        self.replies[i] = reply
        self.pending -= 1
        if self.pending == 0 and self.armed and not self.future.done():
            self.future.set_result(self.replies)

    # -- writes ----------------------------------------------------------------------------
    def puts_taken(self, indices: list[int], hinted: int) -> None:
        """Every write of ``indices`` was taken by one more replica (``hinted`` of them by a
        stand-in); this node's own log counts as one. The common case, counted in bulk."""
        c = self.cluster
        if hinted:
            c.counters["hints_sent"] += hinted
        acks, answered, expected, sampled = self.acks, self.answered, self.expected, self.sampled
        w = self.w
        replies = self.replies
        finished = 0
        for i in indices:
            got = acks[i] + 1
            if got <= 0:
                continue  # answered already
            if sampled and i in sampled:
                self._ack(i, True)
                continue
            if got < w:
                if answered[i] + 1 < expected[i]:
                    acks[i] = got  # short of the quorum still, more answers to come
                    answered[i] += 1
                else:
                    self._ack(i, True)  # short of the quorum with no answer to come
                continue
            acks[i] = -1
            replies[i] = OK
            finished += 1
        if finished:
            c.count_requests(_SET, finished, self.started)
            self.pending -= finished
            if self.pending == 0 and self.armed and not self.future.done():
                self.future.set_result(replies)

    def put_answered(self, i: int, ok: bool, hinted: bool) -> None:
        if ok and not hinted:
            self._ack(i, True)
            return
        c = self.cluster
        if ok:
            c.counters["hints_sent"] += 1
        else:
            c.counters["peer_errors"] += 1
        self._ack(i, ok)

    def _ack(self, i: int, ok: bool) -> None:
        acks = self.acks[i]
        if acks < 0:
            return  # answered already
        self.answered[i] += 1
        if ok:
            acks = self.acks[i] = acks + 1
            if i in self.sampled:
                self.sampled[i].append((time.perf_counter() - self.started) * 1000)
        if acks < self.w and self.answered[i] < self.expected[i]:
            return
        self.acks[i] = -1
        latencies = self.sampled.pop(i, None)
        c = self.cluster
        if acks < self.w:
            c.counters["unavailable"] += 1
            self.done(i, Unavailable(f"Not enough good replicas to write ({acks} of {self.w})."))
            return
        if latencies is not None:
            c.record("kv_write_replicas", w=self.w, n=c.n, latencies_ms=sorted(latencies))
        c._count_request(_SET, self.started)
        self.done(i, OK)

    # -- reads -----------------------------------------------------------------------------
    def expect_read(self, i: int, read: PendingRead) -> None:
        self.pending += 1
        self.reads[i] = read

    def _read_failed(self, i: int, read: PendingRead) -> None:
        del self.reads[i]
        c = self.cluster
        c.counters["peer_errors"] += 1
        self.pending -= 1  # handed to the general path, which counts itself
        c._run_general(self, i, read.args, read.conn)

    def checks_agreed(self, indices: list[int], target: str) -> None:
        """``target`` holds this node's own versions of every key of ``indices``: with R=2
        those reads are done (nothing to merge or repair), counted in bulk."""
        reads = self.reads
        digests = self.digests
        replies = self.replies
        now = int(time.time() * 1000)
        finished = 0
        for i in indices:
            digest = digests.pop(i, None)
            if digest is not None:
                local = digest[0]
            else:
                read = reads.get(i)
                if read is None:
                    continue
                if read.replies is not None or read.need != 1:
                    self._got(i, read, target, versions_of(read.local))
                    continue
                del reads[i]
                local = read.local
            if type(local) is bytes:
                replies[i] = blob_value(local, now)
            elif len(local) == 1:  # ``visible`` inlined: one version, no siblings
                v = local[0]
                expire = v.expire
                replies[i] = v.value if expire is None or expire > now else None
            else:
                got = visible(local, now)
                replies[i] = None if got is None else got[0]
            finished += 1
        if finished:
            c = self.cluster
            c.count_requests(_GET, finished, self.started, r=2)
            self.pending -= finished
            if self.pending == 0 and self.armed and not self.future.done():
                self.future.set_result(replies)

    def check_answered(self, i: int, target: str, reply: Any) -> None:
        """A digest read's answer: ``SAME`` (the peer holds this node's versions), the peer's
        own versions encoded, None (it holds none), or a ``PeerError``."""
        read = self.reads.get(i)
        if read is None:
            digest = self.digests.pop(i, None)
            if digest is None:
                return
            local, args, conn, placement = digest
            read = self.reads[i] = PendingRead(args[1], args, conn, placement, local, 1)
        if isinstance(reply, Exception):
            self._read_failed(i, read)
            return
        if type(reply) is int:  # SAME
            self.checks_agreed([i], target)
        else:
            self._got(i, read, target, [] if reply is None else decode(reply))

    def get_answered(self, i: int, target: str, reply: Any) -> None:
        """A full read's answer (the encoded versions, None, or a ``PeerError``)."""
        read = self.reads.get(i)
        if read is None:
            return
        if isinstance(reply, Exception):
            self._read_failed(i, read)
            return
        self._got(i, read, target, [] if reply is None else decode(reply))

    def _got(self, i: int, read: PendingRead, target: str, versions: list[Version]) -> None:
        c = self.cluster
        replies = read.replies
        if replies is None:
            replies = read.replies = {} if read.local is None else {c.name: versions_of(read.local)}
        replies[target] = versions
        read.need -= 1
        if read.need <= 0:
            del self.reads[i]
            self.done(i, c._finish_get(read.key, replies, read.placement, self))


class PendingRead:
    """A read in flight: its key and request, this node's own versions (None: no copy here),
    the answers so far, and how many more it needs."""

    __slots__ = ("key", "args", "conn", "placement", "local", "need", "replies")

    def __init__(
        self,
        key: bytes,
        args: list[bytes],
        conn: Any,
        placement: Placement,
        local: list[Version] | bytes | None,
        need: int,
    ) -> None:
        self.key = key
        self.args = args
        self.conn = conn
        self.placement = placement
        self.local = local
        self.need = need
        self.replies: dict[str, list[Version]] | None = None


def versions_of(local: list[Version] | bytes | None) -> list[Version]:
    """A local copy (``RunPath._local_copy``; None: none held) as versions."""
    if local is None:
        return []
    return decode(local) if isinstance(local, bytes) else local


commands.load_all()
_GET = commands.TABLE[b"get"]
_SET = commands.TABLE[b"set"]
