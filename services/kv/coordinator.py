"""Any node coordinates any request: quorum reads and writes over the key's preference list.

A keyed command is run as Dynamo runs it: read each key it names from R replicas (merging
their siblings, and repairing any replica that answered with less), run the command against
that view (the same handlers as a single node), then write what changed. Each write is
coordinated by a *home replica* of its key (forwarded there when this node is not one): it
issues the version's dot, stores it durably and sends it to the other homes (or, with a home
down and ``eventual`` consistency, to a stand-in with a hint) and answers after W acks.

``linearizable`` mode uses strict quorums of the N homes (no stand-ins; R = W = a majority)
and ABD: a write first reads a majority to move the clock past every timestamp there, and a
read writes the newest version back to the majority it read before answering.

Plain ``SET key value`` and ``GET key`` in ``eventual`` mode take a batched path (the same
versions, quorums and read repair): their replica requests of one event-loop turn go to each
peer as one message (``services.kv.batching``), and they are answered through futures rather
than a task each.

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

While a node joins or leaves, each coordinator switches to the new ring when gossip reaches
it, and the moved keys reach their new homes by push (the leaving node, or the nodes that lost
a replica to a joiner, stream them; ``topology.py``). Precisely:

- Keys whose N homes are the same in the old and the new ring keep every guarantee above
  throughout (same quorums, same serialiser).
- For a key whose homes change, quorums taken under the old ring and under the new one need
  not intersect (homes {A,B,C} becoming {A,B,D}: {A,C} and {B,D} are both majorities). Until
  every coordinator has the new ring *and* the push has reached the gainers, a
  ``linearizable`` read can miss an acknowledged write (a stale read), and two serialisers
  (old and new first home) can run at once. Linearizability of such keys is not guaranteed
  during that window; it holds again once the ring change has reached every node and the
  moved ranges have been streamed (no acknowledged write is lost: the write is on a W quorum
  of the old homes, each of which pushes what it loses to the gainers).
- ``eventual`` mode loses no acknowledged write across a join or a leave (a graceful leave,
  ``KV.LEAVE`` or SIGTERM, hands everything over before exiting; a replica write from a
  coordinator that had not yet heard reaches its new homes by the stray sweep or the leaving
  node's final passes), but reads may be stale in the window, as in any sloppy quorum.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, deque
from typing import Any

from services.kv import commands
from services.kv.background import Maintenance
from services.kv.batching import PeerBatches
from services.kv.glob import glob_match
from services.kv.keyspace import scan_hash, scan_page
from services.kv.peers import PeerClient, PeerError
from services.kv.replica import Replica
from services.kv.resp import OK, Error, Status
from services.kv.ring import Ring
from services.kv.topology import TOPOLOGY_COMMANDS, Topology
from services.kv.versions import (
    HLC,
    Version,
    context_of,
    decode,
    encode,
    merge,
    new_version,
    visible,
    winner,
)
from services.kv.wal import DurableStore

KEYLESS_FANOUT = {b"keys", b"scan", b"dbsize", b"randomkey", b"flushdb", b"flushall"}
SAMPLE_EVERY = 20  # one request in this many is timed per replica for the lake
MAX_COMBINE = 256  # read-modify-writes of one key applied with one quorum read and write


class Unavailable(Error):
    def __init__(self, what: str) -> None:
        super().__init__(f"NOREPLICAS {what}")


class View:
    """The keyspace a command sees in the cluster: values read by quorum, writes recorded."""

    def __init__(self, values: dict[bytes, tuple[bytes, int | None] | None], now: int) -> None:
        self.values = values
        self.now = now
        self.writes: dict[bytes, tuple[bytes, int | None] | None] = {}

    def now_ms(self) -> int:
        return self.now

    def lookup(self, key: bytes) -> bytes | None:
        got = self.values.get(key)
        return None if got is None else got[0]

    def get_expire(self, key: bytes) -> int | None:
        got = self.values.get(key)
        return None if got is None else got[1]

    def store(self, key: bytes, value: bytes, expire_ms: int | None) -> None:
        self.values[key] = self.writes[key] = (value, expire_ms)

    def set_expire(self, key: bytes, expire_ms: int | None) -> None:
        self.store(key, self.values[key][0], expire_ms)  # type: ignore[index]

    def delete(self, key: bytes) -> bool:
        existed = self.values.get(key) is not None
        self.values[key] = self.writes[key] = None
        return existed


class Cluster:
    def __init__(self, node: Any) -> None:
        cfg = node.config
        self.node = node
        self.config = cfg
        self.name = cfg.name
        self.ring = Ring([cfg.name, *cfg.peers], cfg.vnodes)
        self.peers: dict[str, PeerClient] = {}
        # Failure detection has connections of its own: a probe's short timeout must not
        # drop the data connection with every replica request in flight on it.
        self.gossip: dict[str, PeerClient] = {}
        # Forwarded requests (KV.R.COORD, KV.R.RMW) wait on replica requests to other peers:
        # on a connection of their own, no replica request queues behind one (each node's
        # forwarded requests waiting on the other's replica answers would deadlock).
        self.forwards: dict[str, PeerClient] = {}
        self.down: set[str] = set()
        store = DurableStore(cfg.data_dir, fsync=cfg.fsync) if cfg.data_dir else None
        node.store = store
        self.replica = Replica(self.ring, store, cfg.hint_limit)
        self.hlc = HLC()
        self.counters: Counter[str] = Counter()
        self.events: list[dict[str, Any]] = []
        self.maintenance = Maintenance(self)
        self.topology = Topology(self)
        self.membership = self.topology.membership
        self._seq = 0
        self.batches = PeerBatches(self)
        self._rmw: dict[bytes, deque] = {}  # key -> read-modify-writes waiting to run

    # -- settings ----------------------------------------------------------------------------
    @property
    def n(self) -> int:
        return min(self.config.n, len(self.ring.nodes))

    def majority(self) -> int:
        return self.n // 2 + 1

    def linearizable(self, conn: Any) -> bool:
        return conn.overrides.get("consistency", self.config.consistency) == "linearizable"

    def quorums(self, conn: Any) -> tuple[int, int]:
        if self.linearizable(conn):
            return self.majority(), self.majority()
        r = conn.overrides.get("r", self.config.r)
        w = conn.overrides.get("w", self.config.w)
        return min(r, self.n), min(w, self.n)

    def info(self) -> list[tuple[str, Any]]:
        return [
            ("cluster_enabled", 1),
            ("kv_nodes", len(self.ring.nodes)),
            ("kv_down", ",".join(sorted(self.down)) or "-"),
            ("kv_n", self.n),
            ("kv_r", self.config.r),
            ("kv_w", self.config.w),
            ("kv_keys_held", len(self.replica.data)),
            ("kv_tombstones_held", len(self.replica.tombstones)),
            ("kv_hints_held", self.replica.hint_count()),
            *sorted(self.counters.items()),
        ]

    async def start(self) -> None:
        if self.config.join is not None:
            await self.topology.join(*self.config.join)
        self.maintenance.start()

    async def stop(self) -> None:
        await self.maintenance.stop()
        for peer in [*self.peers.values(), *self.gossip.values(), *self.forwards.values()]:
            await peer.close()

    # -- dispatch ----------------------------------------------------------------------------
    def execute(self, args: list[bytes], conn: Any) -> Any:
        name = args[0].lower()
        if name.startswith(b"kv."):
            return self._kv_command(name, args, conn)
        cmd = commands.lookup(args)
        if isinstance(cmd, Error):
            return cmd
        if name in KEYLESS_FANOUT:
            return self._fanout(cmd, args, conn)
        if cmd.first_key == 0:
            return commands.dispatch(self.node.keyspace, args, conn)
        return self._keyed(cmd, args, conn)

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
        targets = [t for t in placement.targets if t != self.name]
        state.expect_write(i, 1 + len(targets))
        for target in targets:
            hint = placement.substitutes.get(target)
            self.batches.put(target, key, blob, hint.encode() if hint else b"", state, i)

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

    async def _keyed(self, cmd: commands.Command, args: list[bytes], conn: Any) -> Any:
        started = time.perf_counter()
        keys = list(dict.fromkeys(cmd.keys(args)))
        try:
            if cmd.name == "set" and len(args) == 3:
                await self.write(args[1], (args[2], None), {}, conn)
                reply: Any = OK
            elif cmd.write and len(keys) == 1:
                reply = await self._serialised(cmd, args, conn, keys[0])
                if isinstance(reply, Error):
                    return reply
            else:
                if len(keys) == 1:
                    reads = [await self.read(keys[0], conn)]
                else:
                    reads = await asyncio.gather(*(self.read(k, conn) for k in keys))
                now = int(time.time() * 1000)
                view = View({k: visible(v, now) for k, v in zip(keys, reads, strict=True)}, now)
                try:
                    reply = cmd.handler(view, args, conn)
                except Error as err:
                    return err
                if view.writes:
                    seen = {k: context_of(v) for k, v in zip(keys, reads, strict=True)}
                    await asyncio.gather(
                        *(
                            self.write(k, val, seen.get(k, {}), conn)
                            for k, val in view.writes.items()
                        )
                    )
        except Error as err:
            return err
        self._count_request(cmd, started)
        return reply

    # -- read-modify-write at the key's serialiser ------------------------------------------
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

    async def _replica_rmw(self, args: list[bytes]) -> Any:
        """``KV.R.RMW mode r w command...``: a read-modify-write forwarded to this node as the
        key's serialiser, answered wrapped (``wrap_reply``) so errors and statuses survive."""
        _, mode, r, w, *request = args
        cmd = commands.lookup(request)
        if isinstance(cmd, Error) or not cmd.write or len(set(cmd.keys(request))) != 1:
            return wrap_reply(Error("ERR not a one-key write command"))
        conn = _Forwarded(self.config, mode == b"L", int(r), int(w))
        try:
            reply = await self.read_modify_write(cmd, request, conn, cmd.keys(request)[0])
        except Error as err:
            reply = err
        return wrap_reply(reply)

    def _count_request(self, cmd: commands.Command, started: float) -> None:
        self.counters["writes" if cmd.write else "reads"] += 1
        self._seq += 1
        if self._seq % SAMPLE_EVERY == 0:
            self.record(
                "kv_request",
                command=cmd.name,
                latency_ms=round((time.perf_counter() - started) * 1000, 3),
            )

    def record(self, kind: str, **attrs: Any) -> None:
        if len(self.events) < 50_000:
            self.events.append({"type": kind, "node": self.name, **attrs})

    # -- quorum reads ------------------------------------------------------------------------
    def _order(self, names: list[str]) -> list[str]:
        return sorted(names, key=lambda x: x != self.name)

    async def _fetch(self, target: str, key: bytes) -> list[Version]:
        if target == self.name:
            return self.replica.get(key)
        blob = await self.peers[target].call(b"KV.R.GET", key)
        return [] if blob is None else decode(blob)

    async def read(self, key: bytes, conn: Any, *, r: int | None = None) -> list[Version]:
        """Versions of ``key`` merged from R replicas, repairing the ones behind."""
        lin = self.linearizable(conn)
        r = r or self.quorums(conn)[0]
        placement = self.ring.placement(key, self.n, self.down, sloppy=not lin)
        candidates = self._order(placement.targets)
        replies: dict[str, list[Version]] = {}
        timings: dict[str, float] = {}
        started = time.perf_counter()

        async def ask(target: str) -> None:
            try:
                replies[target] = await self._fetch(target, key)
                timings[target] = (time.perf_counter() - started) * 1000
            except PeerError:
                self.counters["peer_errors"] += 1

        pending = list(candidates)
        if pending and pending[0] == self.name:  # this node's own copy needs no round trip
            replies[self.name] = self.replica.get(key)
            timings[self.name] = 0.0
            pending.pop(0)
        while len(replies) < r and pending:
            batch, pending = pending[: r - len(replies)], pending[r - len(replies) :]
            if len(batch) == 1:
                await ask(batch[0])
            else:
                await asyncio.gather(*(ask(t) for t in batch))
        if len(replies) < r:
            self.counters["unavailable"] += 1
            raise Unavailable(f"Not enough good replicas to read ({len(replies)} of {r}).")
        sets = list(replies.values())
        if all(v is sets[0] for v in sets):  # every replica answered this node's own set
            merged, stale = sets[0], []
        else:
            merged = merge(*sets)
            stale = self._stale(key, replies, merged)
        if stale:
            repair = self._repair(key, merged, stale, placement.substitutes, strict=lin)
            if lin:
                await repair
            else:
                task = asyncio.ensure_future(repair)
                self.maintenance.track(task)
        if lin and self.name in replies and self.node.store is not None:
            # ABD: what a read returns must be durable on a majority, this copy included.
            await self.node.store.wait_durable()
        if self._seq % SAMPLE_EVERY == 0:
            self.record("kv_read_replicas", r=r, n=self.n, latencies_ms=list(timings.values()))
        return merged

    def _stale(
        self, key: bytes, replies: dict[str, list[Version]], merged: list[Version]
    ) -> list[str]:
        """The replicas that answered with less than the merge (counted as read repairs)."""
        if not merged:
            return []
        dots = [x.dot for x in merged]
        stale = [t for t, v in replies.items() if [x.dot for x in v] != dots]
        if stale:
            self.counters["read_repairs"] += len(stale)
            self.maintenance.note_divergence(key, len(stale))
            self.record("kv_read_repair", key_range=self.ring.range_of(key), replicas=len(stale))
        return stale

    async def _repair(
        self,
        key: bytes,
        merged: list[Version],
        targets: list[str],
        subs: dict[str, str],
        *,
        strict: bool = False,
    ) -> None:
        """Send the merged versions to replicas that answered with less. ``strict`` (ABD's
        write-back): every one must take them, or the read fails."""
        blob = encode(merged)
        for target in targets:
            try:
                await self._store_at(target, key, blob, merged, subs.get(target))
            except PeerError:
                if strict:
                    raise Unavailable(
                        "Not enough good replicas took the read's write-back."
                    ) from None

    async def _store_at(
        self, target: str, key: bytes, blob: bytes, versions: list[Version], hint: str | None
    ) -> None:
        if target == self.name:
            if hint:
                self.replica.add_hint(hint, key, versions)
            else:
                self.replica.put(key, versions)
            if self.node.store is not None:
                await self.node.store.wait_durable()
            return
        args = [b"KV.R.PUT", key, blob] + ([hint.encode()] if hint else [])
        await self.peers[target].call(*args)

    # -- writes ------------------------------------------------------------------------------
    async def write(
        self,
        key: bytes,
        value: tuple[bytes, int | None] | None,
        seen: dict[str, int],
        conn: Any,
    ) -> None:
        """Have a home replica of ``key`` coordinate the write; raises ``Unavailable``."""
        lin = self.linearizable(conn)
        w = self.quorums(conn)[1]
        placement = self.ring.placement(key, self.n, self.down, sloppy=not lin)
        homes = self._order(placement.live)
        if not homes:
            self.counters["unavailable"] += 1
            raise Unavailable("Not enough good replicas to write.")
        ctx = encode([Version("", 0, seen, (0, 0), None)]) if seen else b""
        val = b"" if value is None else value[0]
        expire = b"-" if value is None else (b"%d" % value[1] if value[1] is not None else b"")
        mode = b"L" if lin else b"E"
        for home in homes:
            if home == self.name:
                await self.coordinate(key, value, seen, w, lin)
                return
            try:
                self.counters["forwarded"] += 1
                await self.forwards[home].call(
                    b"KV.R.COORD",
                    key,
                    ctx,
                    val,
                    expire,
                    b"%d" % w,
                    mode,
                    timeout_s=3 * self.config.request_timeout_s,
                )
                return
            except PeerError as exc:
                if "NOREPLICAS" in str(exc) or lin:
                    # Linearizable: the home may still apply it; a second coordinator would
                    # apply the same write again later, so the outcome stays unknown instead.
                    raise Unavailable("Not enough good replicas to write.") from None
                self.counters["peer_errors"] += 1
        raise Unavailable("Not enough good replicas to write.")

    async def coordinate(
        self,
        key: bytes,
        value: tuple[bytes, int | None] | None,
        seen: dict[str, int],
        w: int,
        lin: bool,
    ) -> None:
        """At a home replica: issue the version, store it, replicate it, wait for W acks."""
        placement = self.ring.placement(key, self.n, self.down, sloppy=not lin)
        if lin:
            # ABD's first phase: no completed write anywhere in a majority is newer than ours.
            newest = winner(await self.read(key, _LIN, r=self.majority()))
            if newest is not None:
                self.hlc.observe(newest.hlc)
        local = self.replica.get(key)
        for v in local:
            self.hlc.observe(v.hlc)
        hlc = self.hlc.now()
        version = new_version(
            local,
            seen,
            self.name,
            hlc,
            None if value is None else value[0],
            None if value is None else value[1],
        )
        blob = encode([version])
        targets = [t for t in placement.targets if t != self.name]
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        state = {"acks": 0, "answered": 0}
        latencies: list[float] = []
        expected = 1 + len(targets)

        # Futures with callbacks, not a task per replica: this is the hot path of every write.
        def settle(f: asyncio.Future, target: str | None) -> None:
            state["answered"] += 1
            if f.cancelled() or f.exception() is not None:
                self.counters["peer_errors"] += 1
            else:
                state["acks"] += 1
                latencies.append((time.perf_counter() - started) * 1000)
                if target in placement.substitutes:
                    self.counters["hints_sent"] += 1
            if not done.done() and (state["acks"] >= w or state["answered"] == expected):
                done.set_result(None)

        self.replica.put(key, [version])
        store = self.node.store
        local = loop.create_future()
        if store is not None:
            store.on_durable(lambda: local.done() or local.set_result(None))
        else:
            local.set_result(None)
        local.add_done_callback(lambda f: settle(f, None))
        for target in targets:
            hint = placement.substitutes.get(target)
            args = [b"KV.R.PUT", key, blob] + ([hint.encode()] if hint else [])
            self.peers[target].request(*args).add_done_callback(lambda f, t=target: settle(f, t))
        await done
        acks = state["acks"]
        self._seq += 1
        if self._seq % SAMPLE_EVERY == 0:
            self.record("kv_write_replicas", w=w, n=self.n, latencies_ms=sorted(latencies))
        if acks < w:
            self.counters["unavailable"] += 1
            raise Unavailable(f"Not enough good replicas to write ({acks} of {w}).")

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
        except (ValueError, IndexError):
            return Error(f"ERR wrong arguments for '{name.decode()}'")

    def _kv_command_inner(self, name: bytes, args: list[bytes], conn: Any) -> Any:
        if name == b"kv.r.get" and len(args) == 2:
            reply = self.replica.get_blob(args[1])
            store = self.node.store
            if store is not None and store.pending:
                # never show a version that a crash could still take back
                return self._after_durable(reply)
            return reply
        if name == b"kv.r.put" and len(args) in (3, 4):
            return self._replica_put(args)
        if name == b"kv.r.mput" and len(args) % 3 == 1:
            return self._replica_mput(args)
        if name == b"kv.r.mget":
            get_blob = self.replica.get_blob
            reply = [get_blob(k) for k in args[1:]]
            return self._after_durable(reply) if store_pending(self.node.store) else reply
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
        if name == b"kv.r.digests" and len(args) == 3:
            pairs = self.replica.leaf_digests(int(args[1]), int(args[2]))
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
            return [x for k, v in sorted(self.counters.items()) for x in (k.encode(), v)] + [
                b"hints_held",
                self.replica.hint_count(),
            ]
        return commands.unknown_command(args)

    async def _after_durable(self, reply: Any) -> Any:
        await self.node.store.wait_durable()
        return reply

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

    async def _replica_put(self, args: list[bytes]) -> Any:
        versions = decode(args[2])
        for v in versions:
            self.hlc.observe(v.hlc)
        if len(args) == 4:
            if not self.replica.add_hint(args[3].decode(), args[1], versions):
                return Error("ERR hint store full")
            self.counters["hints_queued"] += 1
            self.record("kv_hint_queued", home=args[3].decode())
        else:
            self.replica.put(args[1], versions)
        if self.node.store is not None:
            await self.node.store.wait_durable()
        return OK

    def _replica_mput(self, args: list[bytes]) -> Any:
        """A batch of replica puts (``key blob hint`` triples, hint empty for the key's own
        home), answered once all of them are durable: their count if every one was taken,
        else one reply per key."""
        replies: list[Any] = []
        failed = False
        put = self.replica.put
        observe = self.hlc.observe
        for i in range(1, len(args), 3):
            key, blob, hint = args[i], args[i + 1], args[i + 2]
            versions = decode(blob)
            for v in versions:
                observe(v.hlc)
            if not hint:
                put(key, versions, blob)
                replies.append(OK)
            elif self.replica.add_hint(hint.decode(), key, versions):
                self.counters["hints_queued"] += 1
                self.record("kv_hint_queued", home=hint.decode())
                replies.append(OK)
            else:
                failed = True
                replies.append(Error("ERR hint store full"))
        reply: Any = replies if failed else len(replies)
        return self._after_durable(reply) if store_pending(self.node.store) else reply

    async def _replica_coord(self, args: list[bytes]) -> Any:
        _, key, ctx, val, expire, w, mode = args
        seen = decode(ctx)[0].context if ctx else {}
        value = None if expire == b"-" else (val, int(expire) if expire else None)
        try:
            await self.coordinate(key, value, seen, int(w), mode == b"L")
        except Error as err:
            return err
        return OK


def task_reply(task: asyncio.Future) -> Any:
    """What a finished request task answers (an error reply if it failed)."""
    if task.cancelled():
        return Error("ERR node is shutting down")
    exc = task.exception()
    if exc is not None:
        return exc if isinstance(exc, Error) else Error(f"ERR internal error: {exc!r}")
    return task.result()


def store_pending(store: DurableStore | None) -> bool:
    return store is not None and store.pending


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


_GET = commands.TABLE[b"get"]
_NO_BLOB = object()  # no local copy was read, so no answer is compared with it
_SET = commands.TABLE[b"set"]


class _Lin:
    """A stand-in connection for internal reads that must use the linearizable quorum."""

    overrides = {"consistency": "linearizable"}


_LIN = _Lin()


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
