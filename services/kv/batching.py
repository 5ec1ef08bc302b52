"""Replica traffic in batches: what a coordinator asks of each peer in one turn of the event
loop leaves as one request.

Pipelined clients hand a coordinator hundreds of ``SET`` and ``GET`` requests per read of
their sockets. Sent one by one, each would cost a peer request (a future and a timer here, a
task and a reply there) and each local write its own wait for the group commit. Batched, each
peer gets one ``KV.R.MPUT key blob hint ...`` and one ``KV.R.MGET key ...`` per turn, answered
with one array (one reply per key, in order; a batch of puts that all succeeded is answered
with their count instead), and the local writes of the turn share one wait for the log. The
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
# (whether the replica took the write) and ``sink.get_answered(i, target, reply)`` (the
# encoded versions, None, or a ``PeerError``).


class PeerBatches:
    """Per-peer outboxes of replica puts and gets, flushed once per event-loop turn."""

    def __init__(self, cluster: Any) -> None:
        self.cluster = cluster
        self.puts: dict[str, list[tuple[bytes, bytes, bytes, Any, int]]] = {}
        self.gets: dict[str, list[tuple[bytes, Any, int]]] = {}
        self.local: list[Callable[[], None]] = []
        self._scheduled = False

    def put(self, target: str, key: bytes, blob: bytes, hint: bytes, sink: Any, i: int) -> None:
        """Send ``blob`` (encoded versions of ``key``) to ``target``; ``hint``: the home it
        stands in for, or empty."""
        self.puts.setdefault(target, []).append((key, blob, hint, sink, i))
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
        local, self.local = self.local, []
        for target, entries in puts.items():
            wire = [b"*%d\r\n$9\r\nKV.R.MPUT\r\n" % (1 + 3 * len(entries))]
            wire += [
                b"$%d\r\n%s\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
                % (len(key), key, len(blob), blob, len(hint), hint)
                for key, blob, hint, _, _ in entries
            ]
            self._send(target, wire, lambda r, e=entries: self._put_answered(r, e))
        for target, wanted in gets.items():
            wire = [b"*%d\r\n$9\r\nKV.R.MGET\r\n" % (1 + len(wanted))]
            wire += [b"$%d\r\n%s\r\n" % (len(key), key) for key, _, _ in wanted]
            self._send(target, wire, lambda r, t=target, e=wanted: self._get_answered(r, t, e))
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
            for _, _, hint, sink, i in entries:
                sink.put_answered(i, True, bool(hint))
            return
        replies = self._replies(result, len(entries))
        for (_, _, hint, sink, i), reply in zip(entries, replies, strict=True):
            sink.put_answered(i, not isinstance(reply, Exception), bool(hint))

    def _get_answered(self, result: Any, target: str, wanted: list) -> None:
        replies = self._replies(result, len(wanted))
        for (_, sink, i), reply in zip(wanted, replies, strict=True):
            sink.get_answered(i, target, reply)
