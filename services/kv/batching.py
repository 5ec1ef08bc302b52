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
from typing import Any

from services.kv.peers import PeerError

# A sink hears of each answer by the entry's index: ``sink.put_answered(i, ok, hinted)``
# (whether the replica took the write), ``sink.get_answered(i, target, reply)`` (the
# encoded versions, None, or a ``PeerError``) and ``sink.check_answered(i, target, reply)``
# (``SAME``, the encoded versions, None, or a ``PeerError``).
_NO_HINT = b"$0\r\n\r\n"  # the hint argument of a put to one of the key's own homes
SAME = 1  # a digest read's answer where the replica holds the versions it was sent the dots of


class PeerBatches:
    """Per-peer outboxes of replica puts and gets, flushed once per event-loop turn."""

    def __init__(self, cluster: Any) -> None:
        self.cluster = cluster
        self.puts: dict[str, list[tuple[bytes, bytes, Any, int]]] = {}
        self.gets: dict[str, list[tuple[bytes, Any, int]]] = {}
        self.checks: dict[str, list[tuple[bytes, bytes, Any, int]]] = {}
        self.local: list[Callable[[], None]] = []
        self._scheduled = False

    def put(self, target: str, body: bytes, hint: bytes, sink: Any, i: int) -> None:
        """Send a replica put to ``target``: ``body`` is the key and its encoded versions as
        two RESP bulk strings (built once for every target), ``hint`` the bulk string of the
        home ``target`` stands in for (``$0``: none)."""
        self.puts.setdefault(target, []).append((body, hint, sink, i))
        self._schedule()

    def put_all(self, fanout: list[tuple[str, bytes]], body: bytes, sink: Any, i: int) -> None:
        """``put`` to each ``(target, hint)`` of ``fanout``."""
        puts = self.puts
        for target, hint in fanout:
            entries = puts.get(target)
            if entries is None:
                entries = puts[target] = []
            entries.append((body, hint, sink, i))
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def get(self, target: str, key: bytes, sink: Any, i: int) -> None:
        self.gets.setdefault(target, []).append((key, sink, i))
        self._schedule()

    def check(self, target: str, key: bytes, dots: bytes, sink: Any, i: int) -> None:
        """A digest read: ask ``target`` whether it holds the versions of ``key`` with these
        ``dots`` (``versions.dots``), and for its own where it does not."""
        self.checks.setdefault(target, []).append((key, dots, sink, i))
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
        for target, entries in puts.items():
            counters["batch_put_msgs"] += 1
            counters["batch_put_keys"] += len(entries)
            wire = [b"*%d\r\n$9\r\nKV.R.MPUT\r\n" % (1 + 3 * len(entries))]
            for body, hint, _, _ in entries:
                wire.append(body)
                wire.append(hint)
            self._send(target, wire, lambda r, e=entries: self._put_answered(r, e))
        for target, wanted in gets.items():
            counters["batch_get_msgs"] += 1
            counters["batch_get_keys"] += len(wanted)
            wire = [b"*%d\r\n$9\r\nKV.R.MGET\r\n" % (1 + len(wanted))]
            wire += [b"$%d\r\n%s\r\n" % (len(key), key) for key, _, _ in wanted]
            self._send(target, wire, lambda r, t=target, e=wanted: self._get_answered(r, t, e))
        for target, asked in checks.items():
            counters["batch_check_msgs"] += 1
            counters["batch_check_keys"] += len(asked)
            wire = [b"*%d\r\n$11\r\nKV.R.MCHECK\r\n" % (1 + 2 * len(asked))]
            wire += [
                b"$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, len(sig), sig)
                for key, sig, _, _ in asked
            ]
            self._send(target, wire, lambda r, t=target, e=asked: self._check_answered(r, t, e))
        # After the sends: they leave first, whatever the log's group commit does.
        if local:
            store = self.cluster.node.store
            if store is None:
                for done in local:
                    done()
            else:
                # Everything these callers logged is in the store's batch already.
                store.on_durable(lambda: [done() for done in local])

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

    def _put_answered(self, result: Any, entries: list) -> None:
        if type(result) is int and result == len(entries):  # every put taken
            for _, hint, sink, i in entries:
                sink.put_answered(i, True, hint != _NO_HINT)
            return
        replies = self._replies(result, len(entries))
        for (_, hint, sink, i), reply in zip(entries, replies, strict=True):
            sink.put_answered(i, not isinstance(reply, Exception), hint != _NO_HINT)

    def _get_answered(self, result: Any, target: str, wanted: list) -> None:
        replies = self._replies(result, len(wanted))
        for (_, sink, i), reply in zip(wanted, replies, strict=True):
            sink.get_answered(i, target, reply)

    def _check_answered(self, result: Any, target: str, asked: list) -> None:
        if type(result) is int and result == len(asked):  # every copy agreed
            for _, _, sink, i in asked:
                sink.check_answered(i, target, SAME)
            return
        replies = self._replies(result, len(asked))
        for (_, _, sink, i), reply in zip(asked, replies, strict=True):
            sink.check_answered(i, target, reply)
