"""A cluster node's background work: failure detection, hinted handoff, anti-entropy, events.

- Failure detector: SWIM probes with gossip every ``heartbeat_interval_s`` (see
  ``services.kv.membership``); a member suspected, dead or gone is skipped by preference lists.
- Hinted handoff: hints held for a node that is up again are replayed to it, at most
  ``hint_rate_per_s`` a second, so a returning node is not flooded.
- Anti-entropy: per token range this node replicates, Merkle leaves are compared with another
  home of the range; differing leaves exchange key digests and the differing keys are merged
  both ways. Ranges are visited worst first by observed divergence (read repairs, differences
  found) when ``order="divergence"``, else round-robin.
- Tombstone GC after each anti-entropy round (``services.kv.tombstones``).
- Events (sampled replica latencies, repairs, hints, exchanges) go to the lake through the
  platform's emitter when the node has one.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from services.kv import tombstones
from services.kv.peers import PeerError
from services.kv.replica import LEAVES
from services.kv.versions import decode, digest, encode

RANGES_PER_ROUND = 8  # token ranges compared per anti-entropy round


class Maintenance:
    def __init__(self, cluster: Any, order: str = "divergence") -> None:
        self.cluster = cluster
        self.order = order
        self.tasks: list[asyncio.Task] = []
        self.loose: set[asyncio.Task] = set()
        self.divergence: dict[int, float] = {}
        self._rr = 0
        self.emitter: Any = None
        self._my_ranges: list[int] | None = None

    def track(self, task: asyncio.Future) -> None:
        self.loose.add(task)  # type: ignore[arg-type]
        task.add_done_callback(self.loose.discard)

    def note_divergence(self, key: bytes, amount: float) -> None:
        r = self.cluster.ring.range_of(key)
        self.divergence[r] = self.divergence.get(r, 0.0) + amount

    def start(self) -> None:
        self.tasks = [
            asyncio.create_task(self._heartbeats()),
            asyncio.create_task(self._handoff()),
            asyncio.create_task(self._anti_entropy()),
            asyncio.create_task(self._flush_events()),
        ]

    async def stop(self) -> None:
        for task in [*self.tasks, *self.loose]:
            task.cancel()
        for task in [*self.tasks, *self.loose]:
            with contextlib.suppress(BaseException):
                await task
        await self._emit()

    # -- failure detection (SWIM) -------------------------------------------------------
    async def _heartbeats(self) -> None:
        c = self.cluster
        while True:
            target = c.membership.next_target()
            if target is not None:
                await self.probe(target)
            for _ in c.membership.expire_suspects():
                c.counters["members_marked_dead"] += 1
            await asyncio.sleep(c.config.heartbeat_interval_s)

    async def ping(self, target: str) -> bool:
        """One direct ping carrying this node's table; merges the table of the reply."""
        c = self.cluster
        peer = c.gossip.get(target)
        if peer is None:
            return False
        try:
            blob = await peer.call(
                b"KV.G.PING", c.membership.encode(), timeout_s=c.config.probe_timeout_s
            )
        except PeerError:
            return False
        c.membership.merge(blob)
        return True

    async def probe(self, target: str) -> None:
        c = self.cluster
        c.counters["probes"] += 1
        if await self.ping(target):
            return
        helpers = c.membership.helpers(target)
        if helpers:
            c.counters["indirect_probes"] += len(helpers)
            answers = await asyncio.gather(
                *(self._ping_via(h, target) for h in helpers), return_exceptions=True
            )
            if any(a is True for a in answers):
                return
        if c.membership.state(target) == "alive":
            c.membership.set_state(target, "suspect")
            c.counters["members_suspected"] += 1

    async def _ping_via(self, helper: str, target: str) -> bool:
        c = self.cluster
        try:
            got = await c.gossip[helper].call(
                b"KV.G.PINGREQ", target.encode(), timeout_s=2 * c.config.probe_timeout_s
            )
        except (PeerError, KeyError):
            return False
        return got == 1

    # -- hinted handoff ------------------------------------------------------------------
    async def _handoff(self) -> None:
        c = self.cluster
        tick = 0.1
        while True:
            await asyncio.sleep(tick)
            budget = max(1, int(c.config.hint_rate_per_s * tick))
            for home, held in list(c.replica.hints.items()):
                if held and c.membership.state(home) == "left":
                    await self._rehome_hints(home, held)
                    continue
                if home in c.down or not held:
                    continue
                for key in list(held)[:budget]:
                    versions = held.get(key)
                    if versions is None:
                        continue
                    try:
                        await c.peers[home].call(b"KV.R.PUT", key, encode(versions))
                    except PeerError:
                        break
                    if held.get(key) is versions:
                        c.replica.drop_hint(home, key)
                    budget -= 1
                    c.counters["hints_replayed"] += 1
                    c.record("kv_hint_replayed", home=home)

    async def _rehome_hints(self, home: str, held: dict) -> None:
        """Hints kept for a member that has left go to the keys' current homes instead."""
        c = self.cluster
        for key in list(held)[:200]:
            versions = held[key]
            ok = True
            for target in c.ring.preference_list(key, c.n):
                if target == c.name:
                    c.replica.put(key, versions)
                    continue
                try:
                    await c.peers[target].call(b"KV.R.PUT", key, encode(versions))
                except PeerError:
                    ok = False
            if ok:
                c.replica.drop_hint(home, key)
                c.counters["hints_rehomed"] += 1

    # -- anti-entropy --------------------------------------------------------------------
    def next_range(self, ranges: list[int]) -> int:
        if self.order == "divergence":
            worst = max(ranges, key=lambda r: self.divergence.get(r, 0.0))
            if self.divergence.get(worst, 0.0) > 0:
                return worst
        self._rr = (self._rr + 1) % len(ranges)
        return ranges[self._rr]

    async def _anti_entropy(self) -> None:
        c = self.cluster
        while True:
            await asyncio.sleep(c.config.anti_entropy_interval_s)
            ranges = self.my_ranges()
            for _ in range(min(RANGES_PER_ROUND, len(ranges))):
                with contextlib.suppress(PeerError):
                    await self.exchange(self.next_range(ranges))
            await c.topology.sweep_strays()
            with contextlib.suppress(PeerError):
                await tombstones.collect(c)

    def my_ranges(self) -> list[int]:
        if self._my_ranges is None:
            c = self.cluster
            self._my_ranges = c.ring.ranges_of(c.name, c.n)
        return self._my_ranges

    async def exchange(self, range_index: int) -> int:
        """Compare one range with another live home of it; returns keys repaired."""
        c = self.cluster
        others = [
            n for n in c.ring.range_preference(range_index, c.n) if n != c.name and n not in c.down
        ]
        if not others:
            return 0
        peer = others[int(time.monotonic() * 1000) % len(others)]
        remote = await c.peers[peer].call(b"KV.R.MERKLE", b"%d" % range_index)
        local = c.replica.merkle_leaves(range_index)
        repaired = 0
        # The keys of every leaf that differs, in one request and one walk of the range on
        # each side: under writes most leaves differ, and a walk per leaf was most of what
        # anti-entropy cost a loaded node (a tenth of its time; a third of that now).
        differ = [leaf for leaf in range(LEAVES) if remote[leaf] != local[leaf]]
        if differ:
            leaves = [b"%d" % leaf for leaf in differ]
            flat = await c.peers[peer].call(b"KV.R.DIGESTS", b"%d" % range_index, *leaves)
            theirs = dict(zip(flat[::2], flat[1::2], strict=True))
            mine = c.replica.leaf_digests(range_index, differ)
            for key in set(theirs) | set(mine):
                if theirs.get(key) == mine.get(key):
                    continue
                blob = await c.peers[peer].call(b"KV.R.GET", key)
                merged, _ = c.replica.put(key, decode(blob) if blob else [])
                if theirs.get(key) != digest(merged):
                    await c.peers[peer].call(b"KV.R.PUT", key, encode(merged))
                repaired += 1
        if c.node.store is not None:
            await c.node.store.wait_durable()
        c.counters["ae_exchanges"] += 1
        c.counters["ae_keys_repaired"] += repaired
        # What this exchange found is the range's divergence now: a clean range drops out of
        # the worst-first order until reads or hints report it diverging again.
        self.divergence[range_index] = float(repaired)
        if repaired or c.counters["ae_exchanges"] % 10 == 0:
            c.record("kv_anti_entropy", key_range=range_index, peer=peer, repaired=repaired)
        return repaired

    # -- events --------------------------------------------------------------------------
    async def _flush_events(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            await self._emit()

    async def _emit(self) -> None:
        c = self.cluster
        if not c.events:
            return
        batch, c.events = c.events, []
        if self.emitter is None:
            return
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.emitter.emit_batch, batch)
