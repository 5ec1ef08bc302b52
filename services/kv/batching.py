"""Replica traffic in batches: what a coordinator asks of each peer in one turn of the event
loop leaves as one request.

Pipelined clients hand a coordinator hundreds of ``SET`` and ``GET`` requests per read of
their sockets. Sent one by one, each would cost a peer request (a future and a timer here, a
task and a reply there) and each local write its own wait for the group commit. Batched, each
peer gets one ``KV.R.MPUT key blob hint ...`` and one ``KV.R.MGET key ...`` per turn, answered
with one array (one reply per key, in order; a batch of puts that all succeeded is answered
with their count instead), and the local writes of the turn share one wait for the log.

Quorum reads by a coordinator that holds a replica itself are *digest reads* (as in Dynamo and
Cassandra): the other replicas are sent the dots of the coordinator's own copy
(``KV.R.MCHECK key dots ...``) and answer ``1`` where theirs are the same, their encoded
versions where not; a batch in which every copy agreed is answered with its count. The
common case moves no values and decodes nothing; a disagreement gets the full versions, so
the coordinator still merges, returns the newest and repairs. The
requests are encoded here directly, not through a generic argument list, and the answers
are handed over in the turn they arrive in (``PeerClient.request_cb``). Replica puts merge
version sets, so they commute: a batch needs no ordering against other batches, and per-key
versions, hints and acks are exactly those of single requests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any

from services.kv.peers import PeerError
from services.kv.versions import decode

# A run hands over what it asks of one peer as a *segment*: the indices of its entries and
# their RESP arguments (``Segment``). One answer that covers a whole segment reaches the run
# in one call, ``sink.puts_taken(indices, hinted)`` (every put taken; ``hinted`` of them by
# a stand-in) or ``sink.checks_agreed(indices, target)`` (every copy the same); anything else
# reaches it entry by entry: ``sink.put_answered(i, ok, hinted)``, ``sink.check_answered(i,
# target, reply)`` (``SAME``, the encoded versions, None, or a ``PeerError``) and
# ``sink.get_answered(i, target, reply)`` (the encoded versions, None, or a ``PeerError``).
_NO_HINT = b"$0\r\n\r\n"  # the hint argument of a put to one of the key's own homes
SAME = 1  # a digest read's answer where the replica holds the versions it was sent the dots of


class Segment:
    """What one run asks of one peer: the entries' indices in the run and their arguments
    (puts: ``key blob`` as one RESP part, then the hint; checks: ``key dots`` as one part),
    and how many of the puts go to a stand-in (with a hint)."""

    __slots__ = ("indices", "parts", "hinted")

    def __init__(self) -> None:
        self.indices: list[int] = []
        self.parts: list[bytes] = []
        self.hinted = 0


class PeerBatches:
    """Per-peer outboxes of replica puts and gets, flushed once per event-loop turn."""

    def __init__(self, cluster: Any) -> None:
        self.cluster = cluster
        self.puts: dict[str, list[tuple[Any, Segment]]] = {}
        self.gets: dict[str, list[tuple[bytes, Any, int]]] = {}
        self.checks: dict[str, list[tuple[Any, Segment]]] = {}
        self.local: list[Callable[[], None]] = []
        self._scheduled = False

    def put_segment(self, target: str, sink: Any, segment: Segment) -> None:
        """Send a run's replica puts to ``target``: ``segment.parts`` holds per entry the key
        and its encoded versions as two RESP bulk strings (built once for every target), then
        the bulk string of the home ``target`` stands in for (``$0``: none)."""
        self.puts.setdefault(target, []).append((sink, segment))
        self._schedule()

    def check_segment(self, target: str, sink: Any, segment: Segment) -> None:
        """Digest reads: ask ``target`` whether it holds the versions of each key with the
        dots given (``versions.dots``; ``segment.parts`` holds ``key dots`` per entry as two
        RESP bulk strings), and for its own where it does not."""
        self.checks.setdefault(target, []).append((sink, segment))
        self._schedule()

    def get(self, target: str, key: bytes, sink: Any, i: int) -> None:
        self.gets.setdefault(target, []).append((key, sink, i))
        self._schedule()

    def after_local_log(self, done: Callable[[], None]) -> None:
        """Run ``done`` once the writes this node logged so far are durable."""
        self.local.append(done)
        self._schedule()

    def _schedule(self) -> None:
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        self._scheduled = False
        puts, self.puts = self.puts, {}
        gets, self.gets = self.gets, {}
        checks, self.checks = self.checks, {}
        local, self.local = self.local, []
        counters = self.cluster.counters
        for target, segments in puts.items():
            count = sum(len(seg.indices) for _, seg in segments)
            counters["batch_put_msgs"] += 1
            counters["batch_put_keys"] += count
            wire = [b"*%d\r\n$9\r\nKV.R.MPUT\r\n" % (1 + 3 * count)]
            for _, seg in segments:
                wire += seg.parts
            self._send(
                target,
                wire,
                partial(self._put_answered, target=target, segments=segments, count=count),
            )
        for target, wanted in gets.items():
            counters["batch_get_msgs"] += 1
            counters["batch_get_keys"] += len(wanted)
            wire = [b"*%d\r\n$9\r\nKV.R.MGET\r\n" % (1 + len(wanted))]
            wire += [b"$%d\r\n%s\r\n" % (len(key), key) for key, _, _ in wanted]
            self._send(target, wire, partial(self._get_answered, target=target, wanted=wanted))
        for target, segments in checks.items():
            count = sum(len(seg.indices) for _, seg in segments)
            counters["batch_check_msgs"] += 1
            counters["batch_check_keys"] += count
            wire = [b"*%d\r\n$11\r\nKV.R.MCHECK\r\n" % (1 + 2 * count)]
            for _, seg in segments:
                wire += seg.parts
            self._send(
                target,
                wire,
                partial(self._check_answered, target=target, segments=segments, count=count),
            )
        # After the sends: they leave first, whatever the log's group commit does.
        if local:
            store = self.cluster.node.store
            if store is None:
                for done in local:
                    done()
            else:
                # Everything these callers logged is in the store's batch already.
                store.on_durable(lambda: [done() for done in local], at_once=True)

    def _send(self, target: str, wire: list[bytes], answered: Callable[[Any], None]) -> None:
        peer = self.cluster.peers.get(target)
        if peer is None:
            answered(PeerError(f"{target}: unknown peer"))
            return
        timeout_s = self.cluster.config.request_timeout_s
        peer.request_cb(b"".join(wire), answered, timeout_s=timeout_s)

    @staticmethod
    def _replies(result: Any, count: int) -> list[Any]:
        """One reply per entry; a failed request is a ``PeerError`` for every entry."""
        if isinstance(result, Exception):
            return [result if isinstance(result, PeerError) else PeerError(repr(result))] * count
        if type(result) is not list or len(result) != count:
            return [PeerError("malformed batch reply")] * count
        return result

    def _put_answered(self, result: Any, target: str, segments: list, count: int) -> None:
        if type(result) is int and result == count:  # every put taken
            for sink, seg in segments:
                sink.puts_taken(seg.indices, seg.hinted)
            return
        replies = iter(self._replies(result, count))
        for sink, seg in segments:
            parts = seg.parts
            for j, i in enumerate(seg.indices):
                hint = parts[2 * j + 1]
                ok = not isinstance(next(replies), Exception)
                if not ok:
                    self._hint_failed(target, parts[2 * j], hint)
                sink.put_answered(i, ok, hint != _NO_HINT)

    def _hint_failed(self, target: str, body: bytes, hint: bytes) -> None:
        """Keep a hint for the home a failed put was meant for (``Cluster.hint_failed``)."""
        key, blob = _bulks(body)
        home = _bulks(hint)[0].decode() if hint != _NO_HINT else None
        self.cluster.hint_failed(target, home, key, decode(blob))

    def _get_answered(self, result: Any, target: str, wanted: list) -> None:
        replies = self._replies(result, len(wanted))
        for (_, sink, i), reply in zip(wanted, replies, strict=True):
            sink.get_answered(i, target, reply)

    def _check_answered(self, result: Any, target: str, segments: list, count: int) -> None:
        if type(result) is int and result == count:  # every copy agreed
            for sink, seg in segments:
                sink.checks_agreed(seg.indices, target)
            return
        replies = iter(self._replies(result, count))
        for sink, seg in segments:
            for i in seg.indices:
                sink.check_answered(i, target, next(replies))


def _bulks(raw: bytes) -> list[bytes]:
    """The RESP bulk strings ``raw`` is made of (as ``Segment.parts`` holds them)."""
    out = []
    pos = 0
    while pos < len(raw):
        eol = raw.index(b"\r\n", pos)
        size = int(raw[pos + 1 : eol])
        out.append(raw[eol + 2 : eol + 2 + size])
        pos = eol + 4 + size
    return out
