"""Any node coordinates any request: quorum reads and writes over the key's preference list.

A keyed command is run as Dynamo runs it: read each key it names from R replicas (merging
their siblings, and repairing any replica that answered with less), run the command against
that view (the same handlers as a single node), then write what changed. Each write is
coordinated by a *home replica* of its key (forwarded there when this node is not one): it
issues the version's dot, stores it durably and sends it to the other homes (or, with a home
down and ``eventual`` consistency, to a stand-in with a hint) and answers after W acks. A
replica that fails to take it (an error reply or a timeout) while still believed up gets a
hint kept here (``hint_failed``), bounded by the hint store and replayed at the hint rate.

``linearizable`` mode uses strict quorums of the N homes (no stand-ins; R = W = a majority)
and ABD: a write first reads a majority to move the clock past every timestamp there, and a
read writes the newest version back to the majority it read before answering.

The batched path of pipelined ``GET``/``SET`` is ``runs.py``; read-modify-write commands run
at the key's serialiser (``rmw.py``); the commands peers send each other are
``replica_commands.py``.

While a node joins or leaves, each coordinator switches to the new ring when gossip reaches
it, and the moved keys reach their new homes by push (the leaving node, or the nodes that lost
a replica to a joiner, stream them; ``topology.py``). Precisely:

- Keys whose N homes are the same in the old and the new ring keep every guarantee above
  and in ``rmw.py`` throughout (same quorums, same serialiser).
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
import time
from collections import Counter, deque
from typing import Any

from services.kv import commands
from services.kv.background import Maintenance
from services.kv.batching import PeerBatches
from services.kv.peers import PeerClient, PeerError
from services.kv.quorum import SAMPLE_EVERY, Unavailable, View
from services.kv.replica import Replica
from services.kv.replica_commands import ReplicaCommands
from services.kv.resp import OK, Error
from services.kv.ring import Ring
from services.kv.rmw import SerialisedWrites
from services.kv.runs import RunPath
from services.kv.topology import Topology
from services.kv.versions import (
    HLC,
    OwnChain,
    Version,
    context_of,
    decode,
    encode,
    merge,
    new_version,
    visible,
    winner,
)

KEYLESS_FANOUT = {b"keys", b"scan", b"dbsize", b"randomkey", b"flushdb", b"flushall"}


class Cluster(RunPath, SerialisedWrites, ReplicaCommands):
    """A node's coordinator and replica (the batched path, read-modify-writes and the
    replica-side commands are mixins, each in its own module)."""

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
        store = cfg.open_store() if cfg.data_dir else None
        node.store = store
        self.replica = Replica(self.ring, store, cfg.hint_limit)
        self.hlc = HLC()
        self.counters: Counter[str] = Counter()
        self.events: list[dict[str, Any]] = []
        self.maintenance = Maintenance(self)
        self.topology = Topology(self)
        self.membership = self.topology.membership
        self._seq = 0
        self._write_seq = 0  # batched writes started (which to sample)
        self.own_chain = OwnChain(cfg.name)  # its writes over its own chains (``_run_sets``)
        self.fanouts: dict[tuple, tuple] = {}  # a write's other targets and hints, interned
        self.batches: PeerBatches = PeerBatches(self)
        self._rmw: dict[bytes, deque] = {}  # key -> read-modify-writes waiting to run
        self.order_key: str = "order:" + cfg.name  # a placement's memo of this node's read order

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

    def _count_request(self, cmd: commands.Command, started: float) -> None:
        self.counters["writes" if cmd.write else "reads"] += 1
        self._seq += 1
        if self._seq % SAMPLE_EVERY == 0:
            self.record(
                "kv_request",
                command=cmd.name,
                latency_ms=round((time.perf_counter() - started) * 1000, 3),
            )

    def count_requests(
        self, cmd: commands.Command, count: int, started: float, r: int | None = None
    ) -> None:
        """``_count_request`` for ``count`` requests of one run answered together: one sample
        when the count passes a sampling point (``r``: reads answered by this node's copy and
        one peer's, whose latencies are sampled too)."""
        self.counters["writes" if cmd.write else "reads"] += count
        before = self._seq
        self._seq += count
        if before // SAMPLE_EVERY != self._seq // SAMPLE_EVERY:
            waited = round((time.perf_counter() - started) * 1000, 3)
            if r is not None:
                self.record("kv_read_replicas", r=r, n=self.n, latencies_ms=[0.0, waited])
            self.record("kv_request", command=cmd.name, latency_ms=waited)

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
        merged, stale = self._reconcile(key, replies)
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

    def _reconcile(
        self, key: bytes, replies: dict[str, list[Version]]
    ) -> tuple[list[Version], list[str]]:
        """The merge of the replicas' answers, and the replicas that answered with less
        (counted as read repairs)."""
        sets = list(replies.values())
        if all(v is sets[0] for v in sets):  # every replica answered this node's own set
            return sets[0], []
        merged = merge(*sets)
        if not merged:
            return merged, []
        dots = [x.dot for x in merged]
        stale = [t for t, v in replies.items() if [x.dot for x in v] != dots]
        if stale:
            self.counters["read_repairs"] += len(stale)
            self.maintenance.note_divergence(key, len(stale))
            self.record("kv_read_repair", key_range=self.ring.range_of(key), replicas=len(stale))
        return merged, stale

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
    def hint_failed(
        self, target: str, home: str | None, key: bytes, versions: list[Version]
    ) -> None:
        """A replica put to ``target`` failed (an error or a timeout) although ``target`` was
        believed up: keep a hint for the home it was meant for (``target`` itself, or the home
        a stand-in stood in for), as Cassandra keeps hints for replicas that time out. The hint
        store's bound applies, and the handoff loop replays it at the hint rate once the home
        answers again."""
        home = home or target
        if home == self.name:
            return
        if self.replica.add_hint(home, key, versions):
            self.counters["hints_on_failure"] += 1
        else:
            self.counters["hints_dropped"] += 1

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
                if target is not None:
                    self.hint_failed(target, placement.substitutes.get(target), key, [version])
            else:
                state["acks"] += 1
                latencies.append((time.perf_counter() - started) * 1000)
                if target in placement.substitutes:
                    self.counters["hints_sent"] += 1
            if not done.done() and (state["acks"] >= w or state["answered"] == expected):
                done.set_result(None)

        self.replica.put(key, [version])
        store = self.node.store
        if store is not None:
            local = store.durable_future()
        else:
            local = loop.create_future()
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


class _Lin:
    """A stand-in connection for internal reads that must use the linearizable quorum."""

    overrides = {"consistency": "linearizable"}


_LIN = _Lin()
