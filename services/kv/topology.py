"""Who is in the cluster and who holds what: membership changes drive the ring, and a ring
change streams exactly the moved ranges.

- The coordinator's ``down`` set is the members the gossip table (``membership.py``) shows
  ``dead`` or ``left`` (a suspect is still asked: its requests have their own timeouts, and a
  short pause must not send writes to stand-ins); peers are dialled as members appear.
- Join (``--join HOST:PORT``): the new node asks a seed (``KV.G.JOIN``) for the table, and
  gossip tells everyone else. Every node rebuilds the ring from the members that have not left.
- Rebalancing is push-based, by the nodes that *lose* a replica: for each key it holds and is
  no longer a home of, a node sends the key's versions (dots and contexts, as stored) to the
  homes that gained it (new homes minus old homes), then drops its copy once they acked. Keys
  whose homes did not change never move, and each moved replica is sent once
  (``rebalance_keys_sent`` / ``rebalance_bytes_sent`` count them).
- Leave (``KV.LEAVE``, or SIGTERM to the node process): the node marks itself ``left`` (a
  higher incarnation), tells every live member directly, hands every key to its gainers,
  replays or forwards its hints, and only then stops. On SIGTERM it then makes a few more
  passes over whatever replica writes arrived meanwhile (from coordinators that had not heard
  yet). Started again, it refutes the ``left`` rumour with a higher incarnation and rejoins.
- A key a node holds without being its home (a write from a coordinator that had not heard of
  a ring change yet) is pushed to its homes by a periodic sweep once the ring has been stable
  for ``STRAY_AFTER_S``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from services.kv import tombstones
from services.kv.membership import Membership
from services.kv.peers import PeerClient, PeerError
from services.kv.resp import Error
from services.kv.ring import Ring
from services.kv.versions import encode

TOPOLOGY_COMMANDS = {
    b"kv.g.ping",
    b"kv.g.pingreq",
    b"kv.g.join",
    b"kv.members",
    b"kv.leave",
    b"kv.r.purge",
}
STRAY_AFTER_S = 5.0
PUSH_BATCH = 64


class Topology:
    def __init__(self, cluster: Any) -> None:
        self.c = cluster
        cfg = cluster.config
        self.changed_at = time.monotonic()
        self.moving: asyncio.Task | None = None
        self._configuring = True  # the configured peers are the ring already
        self.membership = Membership(
            cfg.name, cfg.host, cfg.port, cfg.suspect_timeout_s, on_change=self._on_change
        )
        for name, (host, port) in cfg.peers.items():
            self.membership.add(name, host, port)
        self._configuring = False

    # -- membership -> peers, down set, ring ---------------------------------------------
    def _on_change(self, name: str, old: str | None, new: str) -> None:
        c = self.c
        if name != c.name:
            if name not in c.peers:
                m = self.membership.members[name]
                c.peers[name] = PeerClient(
                    name, m.host, m.port, c.config.request_timeout_s, c.counters
                )
                c.gossip[name] = PeerClient(name, m.host, m.port, c.config.probe_timeout_s)
                c.forwards[name] = PeerClient(name, m.host, m.port, c.config.request_timeout_s)
            if new in ("alive", "suspect"):
                c.down.discard(name)
            else:
                c.down.add(name)
            if old is not None:
                c.record("kv_member_state", member=name, old=old, new=new)
        members = self.membership.ring_members()
        if members != c.ring.nodes and members and not self._configuring:
            self._rebuild(members)

    def _rebuild(self, members: list[str]) -> None:
        c = self.c
        old = c.ring
        c.ring = Ring(members, c.config.vnodes)
        c.replica.reindex(c.ring)
        c.maintenance._my_ranges = None
        self.changed_at = time.monotonic()
        c.counters["ring_changes"] += 1
        c.record("kv_ring_change", nodes=len(members))
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # not serving yet (configuration at start): nothing held to move
        task = loop.create_task(self.rebalance(old, c.ring))
        c.maintenance.track(task)

    # -- streaming the moved ranges ------------------------------------------------------
    async def rebalance(self, old: Ring, new: Ring) -> int:
        """Send the keys this node lost to the homes that gained them; returns keys sent."""
        c = self.c
        n_old = min(c.config.n, len(old.nodes))
        n_new = min(c.config.n, len(new.nodes))
        moves: list[tuple[bytes, list[str]]] = []
        for key in list(c.replica.data):
            homes = new.preference_list(key, n_new)
            if c.name in homes:
                continue
            before = old.preference_list(key, n_old)
            gained = [h for h in homes if h not in before] if c.name in before else homes
            moves.append((key, gained))
        return await self._push(moves, "rebalance")

    async def sweep_strays(self) -> int:
        """Push keys held here that this node is no home of (once the ring is stable)."""
        c = self.c
        if time.monotonic() - self.changed_at < STRAY_AFTER_S:
            return 0
        if self.moving is not None and not self.moving.done():
            return 0
        n = c.n
        mine = set(c.maintenance.my_ranges())
        moves: list[tuple[bytes, list[str]]] = []
        for range_index, keys in c.replica.by_range.items():
            if range_index in mine or not keys:
                continue
            homes = c.ring.range_preference(range_index, n)
            moves += [(k, homes) for k in list(keys)[: 1000 - len(moves)]]
            if len(moves) >= 1000:
                break
        return await self._push(moves, "stray")

    async def _push(self, moves: list[tuple[bytes, list[str]]], what: str) -> int:
        c = self.c
        sent = 0

        async def one(key: bytes, targets: list[str]) -> None:
            nonlocal sent
            versions = c.replica.data.get(key)
            if versions is None:
                return
            blob = encode(versions)
            ok = True
            for target in targets:
                if target == c.name:
                    c.replica.put(key, versions)
                    continue
                try:
                    await c.peers[target].call(b"KV.R.PUT", key, blob)
                except (PeerError, KeyError):
                    ok = False
                    continue
                c.counters[f"{what}_keys_sent"] += 1
                c.counters[f"{what}_bytes_sent"] += len(key) + len(blob)
                sent += 1
            if ok and c.replica.data.get(key) is versions:
                c.replica.drop(key)  # every gainer holds it durably: this copy may go

        for i in range(0, len(moves), PUSH_BATCH):
            await asyncio.gather(*(one(k, t) for k, t in moves[i : i + PUSH_BATCH]))
        if moves:
            c.record(f"kv_{what}", keys=len(moves), sent=sent)
        return sent

    # -- join and leave ------------------------------------------------------------------
    async def join(self, host: str, port: int, attempts: int = 40) -> None:
        """Get the table from a seed (which adds this node), retrying a bounded number of
        times while the seed starts."""
        c = self.c
        seed = PeerClient("seed", host, port, c.config.request_timeout_s)
        try:
            for _ in range(attempts):
                try:
                    blob = await seed.call(
                        b"KV.G.JOIN", c.name, c.config.host, b"%d" % c.config.port
                    )
                except PeerError:
                    await asyncio.sleep(0.25)
                    continue
                self.membership.merge(blob)
                c.counters["joined"] = 1
                return
        finally:
            await seed.close()
        raise RuntimeError(f"no seed answered at {host}:{port}")

    async def leave(self) -> int:
        """Mark this node gone, tell every live member, hand every key and hint away."""
        c = self.c
        old = c.ring
        self.membership.leave()
        await self.tell_all()
        members = self.membership.ring_members()
        if not members:
            return 0
        c.ring = Ring(members, c.config.vnodes)
        c.replica.reindex(c.ring)
        self.changed_at = time.monotonic()
        sent = await self.rebalance(old, c.ring)
        await self._hand_hints()
        if c.node.store is not None:
            await c.node.store.wait_durable()
        c.counters["left"] = 1
        return sent

    async def _hand_hints(self) -> None:
        """Replay every hint held to its home, or hand it to the key's first live home."""
        c = self.c
        for home, held in list(c.replica.hints.items()):
            for key in list(held):
                target = home if home not in c.down else None
                if target is None:
                    # its home is down: hand the hint to the key's first live home instead
                    live = [h for h in c.ring.preference_list(key, c.n) if h not in c.down]
                    target = live[0] if live else None
                if target is None or target not in c.peers:
                    continue
                args = [b"KV.R.PUT", key, encode(held[key])]
                if target != home:
                    args.append(home.encode())
                try:
                    await c.peers[target].call(*args)
                except PeerError:
                    continue
                c.replica.drop_hint(home, key)

    async def leave_for_exit(self, passes: int = 3) -> int:
        """SIGTERM: leave (when some member is left to take the ranges), then hand over what
        replica writes arrived from coordinators that had not yet heard; returns keys sent."""
        c = self.c
        if self.membership.state(c.name) == "left":
            return 0
        if not self.membership.others("alive", "suspect"):
            return 0  # no one to hand to: keep everything on disk, as a plain drain does
        sent = await self.leave()
        for _ in range(passes):
            await asyncio.sleep(0.2)
            if not c.replica.data and not c.replica.hint_count():
                break
            sent += await self.rebalance(c.ring, c.ring)
            await self._hand_hints()
        if c.node.store is not None:
            await c.node.store.wait_durable()
        return sent

    async def tell_all(self) -> None:
        c = self.c
        blob = self.membership.encode()

        async def one(name: str) -> None:
            with contextlib.suppress(PeerError):
                await c.gossip[name].call(b"KV.G.PING", blob, timeout_s=c.config.probe_timeout_s)

        await asyncio.gather(*(one(n) for n in self.membership.others("alive", "suspect")))

    # -- commands ------------------------------------------------------------------------
    def command(self, name: bytes, args: list[bytes]) -> Any:
        m = self.membership
        if name == b"kv.g.ping" and len(args) == 2:
            m.merge(args[1])
            return m.encode()
        if name == b"kv.g.pingreq" and len(args) == 2:
            return self._ping_for(args[1].decode())
        if name == b"kv.g.join" and len(args) == 4:
            joiner = args[1].decode()
            m.add(joiner, args[2].decode(), int(args[3]))
            return m.encode()
        if name == b"kv.leave" and len(args) == 1:
            return self._leave()
        if name == b"kv.r.purge" and len(args) == 3:
            return self._purge(args[1], args[2])
        if name == b"kv.members":
            return [
                [r[0].encode(), f"{r[1]}:{r[2]}".encode(), r[3], r[4].encode()]
                for r in (x.row() for x in sorted(m.members.values(), key=lambda x: x.name))
            ]
        return None

    async def _leave(self) -> Any:
        """Hand every range to its new homes, then stop this node."""
        if self.membership.state(self.c.name) == "left":
            return Error("ERR this node has already left")
        sent = await self.leave()
        asyncio.get_running_loop().call_later(0.05, self.c.node.shutdown.set)
        return sent

    async def _purge(self, key: bytes, want: bytes) -> int:
        c = self.c
        dropped = tombstones.purge(c.replica, key, want)
        if dropped and c.node.store is not None:
            await c.node.store.wait_durable()
        return dropped

    async def _ping_for(self, target: str) -> int:
        return 1 if await self.c.maintenance.ping(target) else 0
