"""The commands a node answers for its peers (``KV.R.*``: replica reads and writes, batches,
forwarded writes, keyspace-wide listings) and the ``KV.*`` commands of its clients, plus the
keyspace-wide commands a coordinator fans out to every node (``KEYS``, ``SCAN``, ``DBSIZE``,
``RANDOMKEY``, ``FLUSHDB``, ``FLUSHALL``)."""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from services.kv import commands
from services.kv.batching import SAME
from services.kv.blob_check import check_blobs
from services.kv.glob import glob_match
from services.kv.keyspace import scan_hash, scan_page
from services.kv.peers import PeerError
from services.kv.resp import OK, Error
from services.kv.topology import TOPOLOGY_COMMANDS
from services.kv.versions import decode, visible
from services.kv.wal import DurableStore


class ReplicaCommands:
    """Mixin of ``Cluster``: replica-side and keyspace-wide commands."""

    # -- keyspace-wide commands --------------------------------------------------------------
    async def _each_node(self, *args: bytes) -> list[Any]:
        async def one(name: str) -> Any:
            if name == self.name:
                return self._local(args[0].lower(), list(args))
            try:
                return await self.peers[name].call(*args)
            except PeerError:
                return None

        live = [n for n in self.ring.nodes if n not in self.down]
        return [r for r in await asyncio.gather(*(one(n) for n in live)) if r is not None]

    async def _fanout(self, cmd: commands.Command, args: list[bytes], conn: Any) -> Any:
        try:
            return await self._fanout_inner(cmd, args, conn)
        except Error as err:
            return err

    async def _fanout_inner(self, cmd: commands.Command, args: list[bytes], conn: Any) -> Any:
        from services.kv import keys as keycmds

        name = args[0].lower()
        if name in (b"flushdb", b"flushall"):
            if len(args) > 2 or (len(args) == 2 and args[1].lower() not in (b"async", b"sync")):
                raise commands.SYNTAX
            await self._each_node(b"KV.R.FLUSH")
            return OK
        if name == b"scan":
            cursor = keycmds.parse_cursor(args[1])
            pattern, count, kind = keycmds.parse_scan_options(args, 2)
            pages = await self._each_node(b"KV.R.SCAN", b"%d" % cursor, b"%d" % count)
            found = {k for page in pages for k in page}
            nxt, page = scan_page(found, cursor, count)
            return [b"%d" % nxt, keycmds.filter_page(page, pattern, kind)]
        pattern = args[1] if name == b"keys" else b"*"
        lists = await self._each_node(b"KV.R.KEYS", pattern)
        found = sorted({k for lst in lists for k in lst}, key=scan_hash)
        if name == b"keys":
            return found
        if name == b"dbsize":
            return len(found)
        return random.choice(found) if found else None

    # -- replica-side commands ---------------------------------------------------------------
    def _live_keys(self) -> list[bytes]:
        now = int(time.time() * 1000)
        keys = set(self.replica.data)
        for held in self.replica.hints.values():
            keys.update(held)
        return [k for k in keys if visible(self.replica.get(k), now) is not None]

    def _local(self, name: bytes, args: list[bytes]) -> Any:
        if name == b"kv.r.keys":
            return [k for k in self._live_keys() if glob_match(args[1], k)]
        if name == b"kv.r.scan":
            return scan_page(self._live_keys(), int(args[1]), int(args[2]))[1]
        if name == b"kv.r.flush":
            self.replica.flush()
            return OK
        raise Error("ERR unknown internal command")

    def _kv_command(self, name: bytes, args: list[bytes], conn: Any) -> Any:
        try:
            return self._kv_command_inner(name, args, conn)
        except Error as err:  # a domain error raised by a parser (``commands.parse_int``)
            return err
        except (ValueError, IndexError):
            return Error(f"ERR wrong arguments for '{name.decode()}'")

    def _kv_command_inner(self, name: bytes, args: list[bytes], conn: Any) -> Any:
        if name == b"kv.r.get" and len(args) == 2:
            reply = self.replica.get_blob(args[1])
            # never show a version that a crash could still take back
            return self._after_durable(reply) if self._shown_pending(args[1:]) else reply
        if name == b"kv.r.put" and len(args) in (3, 4):
            return self._replica_put(args)
        if name == b"kv.r.mput" and len(args) % 3 == 1:
            return self._replica_mput(args)
        if name == b"kv.r.mget":
            get_blob = self.replica.get_blob
            reply = [get_blob(k) for k in args[1:]]
            return self._after_durable(reply) if self._shown_pending(args[1:]) else reply
        if name == b"kv.r.mcheck" and len(args) % 2 == 1:
            return self._replica_mcheck(args)
        if name == b"kv.r.rmw" and len(args) >= 5:
            return self._replica_rmw(args)
        if name == b"kv.r.coord" and len(args) == 7:
            return self._replica_coord(args)
        if name == b"kv.r.ping":
            return [self.name.encode(), sorted(n.encode() for n in self.down)]
        if name in TOPOLOGY_COMMANDS:
            reply = self.topology.command(name, args)
            if reply is not None:
                return reply
        if name in (b"kv.r.keys", b"kv.r.scan", b"kv.r.flush"):
            return self._local(name, args)
        if name == b"kv.r.merkle" and len(args) == 2:
            return self.replica.merkle_leaves(int(args[1]))
        if name == b"kv.r.digests" and len(args) >= 3:  # range leaf [leaf ...]
            pairs = self.replica.leaf_digests(int(args[1]), map(int, args[2:]))
            return [x for kv in pairs.items() for x in kv]
        if name == b"kv.siblings" and len(args) == 2:
            return self._siblings(args[1], conn)
        if name == b"kv.rw" and len(args) == 3:
            r, w = commands.parse_int(args[1]), commands.parse_int(args[2])
            if not (1 <= r <= self.n and 1 <= w <= self.n):
                return Error(f"ERR R and W must be between 1 and N={self.n}")
            conn.overrides.update(r=r, w=w)
            return OK
        if name == b"kv.consistency" and len(args) == 2:
            mode = args[1].decode("ascii", "replace").lower()
            if mode not in ("eventual", "linearizable"):
                return Error("ERR consistency is eventual or linearizable")
            conn.overrides["consistency"] = mode
            return OK
        if name == b"kv.ring":
            m = self.membership
            return [[n.encode(), (m.state(n) or "alive").encode()] for n in self.ring.nodes]
        if name == b"kv.stats":
            store = self.node.store
            wal = store.sync_stats() if store is not None else []
            held = ("hints_held", self.replica.hint_count())
            pairs = [*sorted(self.counters.items()), *wal, held]
            return [x for k, v in pairs for x in (k.encode(), v)]
        return commands.unknown_command(args)

    def _after_durable(self, reply: Any, at_once: bool = False) -> asyncio.Future:
        """``reply`` once this node's log is durable: a future settled by the log's own
        callback (a task would cost another turn of the event loop before the reply leaves).
        ``at_once``: a batch of writes, logged now rather than at the end of the turn."""
        return self.node.store.durable_future(reply, at_once)

    async def _siblings(self, key: bytes, conn: Any) -> Any:
        try:
            versions = await self.read(key, conn)
        except Error as err:
            return err
        return [
            [
                f"{v.node}:{v.counter}".encode(),
                f"{v.hlc[0]}.{v.hlc[1]}".encode(),
                v.value,
                -1 if v.expire is None else v.expire,
            ]
            for v in versions
        ]

    def _replica_put(self, args: list[bytes]) -> Any:
        """One replica put (``key blob [hint]``), answered once it is durable."""
        check_blobs((args[2],))
        home = args[3].decode() if len(args) == 4 else None
        versions = decode(args[2])
        for v in versions:
            self.hlc.observe(v.hlc)
        if home is not None:
            if not self.replica.add_hint(home, args[1], versions):
                return Error("ERR hint store full")
            self.counters["hints_queued"] += 1
            self.record("kv_hint_queued", home=home)
        else:
            self.replica.put(args[1], versions)
        return self._after_durable(OK) if self.node.store is not None else OK

    def _replica_mput(self, args: list[bytes]) -> Any:
        """A batch of replica puts (``key blob hint`` triples, hint empty for the key's own
        home), answered once all of them are durable: their count if every one was taken,
        else one reply per key."""
        refused: dict[int, Error] = {}  # entry -> its error reply (a full hint store)
        keys, blobs, hints = args[1::3], args[2::3], args[3::3]
        check_blobs(blobs)  # a malformed entry refuses the batch before any is stored
        homes: list[str] = []
        if not any(hints):  # the common case: every entry for one of the key's homes
            newest = self.replica.put_encoded_many(zip(keys, blobs, strict=True))
        else:
            homes = [hint.decode() for hint in hints]
            newest = self.replica.put_encoded_many(
                (key, blob) for key, blob, hint in zip(keys, blobs, hints, strict=True) if not hint
            )
        for j, hint in enumerate(hints):
            if not hint:
                continue
            versions = decode(blobs[j])
            for v in versions:
                if v.hlc > newest:
                    newest = v.hlc
            if self.replica.add_hint(homes[j], keys[j], versions):
                self.counters["hints_queued"] += 1
                self.record("kv_hint_queued", home=homes[j])
            else:
                refused[j] = Error("ERR hint store full")
        count = len(args) // 3
        self.hlc.observe(newest)  # nothing ran in between: as if observed one by one
        reply: Any = [refused.get(j, OK) for j in range(count)] if refused else count
        return self._after_durable(reply, at_once=True) if store_pending(self.node.store) else reply

    def _replica_mcheck(self, args: list[bytes]) -> Any:
        """Digest reads (``key dots`` pairs): ``1`` where this replica's versions have those
        dots, else its encoded versions (None: none); the count when all agreed. Answered
        once what it shows is durable, as replica reads are."""
        replica = self.replica
        dots_of = replica.dots_of
        replies: list[Any] = []
        agreed = True
        for j in range(1, len(args), 2):
            key = args[j]
            if dots_of(key) == args[j + 1]:
                replies.append(SAME)
            else:
                agreed = False
                replies.append(replica.get_blob(key))
        reply: Any = len(replies) if agreed else replies
        return self._after_durable(reply) if self._shown_pending(args[1::2]) else reply

    def _shown_pending(self, keys: list[bytes]) -> bool:
        """Whether a replica read of ``keys`` could show a version not yet durable here (it
        then answers after the log's next sync). Only these keys' own records count; with
        hints held (logged under other keys) any pending write does."""
        store = self.node.store
        if store is None or not store.pending:
            return False
        if self.replica.hints:
            return True
        return not store.durable_all([b"d" + k for k in keys])

    def _replica_coord(self, args: list[bytes]) -> Any:
        """``KV.R.COORD key context value expire w mode``: a write forwarded to this node as
        one of the key's homes; its arguments are checked before it starts."""
        _, key, ctx, val, expire, w, mode = args
        if ctx:
            check_blobs((ctx,))
        seen = decode(ctx)[0].context if ctx else {}
        value = None if expire == b"-" else (val, int(expire) if expire else None)
        if int(w) < 1:
            raise ValueError("w below 1")
        return self._coordinate_forwarded(key, value, seen, int(w), mode == b"L")

    async def _coordinate_forwarded(
        self, key: bytes, value: Any, seen: dict[str, int], w: int, lin: bool
    ) -> Any:
        try:
            await self.coordinate(key, value, seen, w, lin)
        except Error as err:
            return err
        return OK


def store_pending(store: DurableStore | None) -> bool:
    return store is not None and store.pending
