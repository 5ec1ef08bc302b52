"""Cluster membership spread by gossip, with a SWIM-style failure detector.

Each node keeps a table of members: name, address, incarnation and state (``alive``,
``suspect``, ``dead``, ``left``). The table is merged, never replaced: of two entries for one
member the one with the higher incarnation wins, and at equal incarnations the worse state
wins (alive < suspect < dead < left). Only a member itself raises its incarnation: told
that it is suspected (or thought dead or gone, after a restart or a rejoin), it refutes with
a higher incarnation as ``alive``, which then overrides the rumour everywhere.

Failure detection (Das, Gupta and Motivala, "SWIM", DSN 2002): every protocol period a node
pings one member (members visited in a shuffled round robin) with ``KV.G.PING``, its whole
table riding on the ping and on the reply (the tables are small: push-pull gossip). With no
reply within ``probe_timeout_s`` it asks ``INDIRECT_PROBES`` other members to ping the target
for it (``KV.G.PINGREQ``); if none of them reaches it either, the target becomes ``suspect``.
A member suspect for ``suspect_timeout_s`` without refuting becomes ``dead``. A short pause
(``SIGSTOP`` shorter than the suspicion timeout) is thus suspected, then refuted on
``SIGCONT``, without a ``dead`` verdict.

Dead members stay in the ring (their ranges are served by stand-ins with hints): only a
``left`` member, one that handed its ranges away, leaves the ring.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

STATES = ("alive", "suspect", "dead", "left")
RANK = {s: i for i, s in enumerate(STATES)}
INDIRECT_PROBES = 2


@dataclass
class Member:
    name: str
    host: str
    port: int
    incarnation: int = 0
    state: str = "alive"
    since: float = 0.0  # local monotonic time of the last state change

    def row(self) -> list:
        return [self.name, self.host, self.port, self.incarnation, self.state]


class Membership:
    """One node's view of the cluster; ``on_change(name, old, new)`` hears every transition."""

    def __init__(
        self,
        me: str,
        host: str,
        port: int,
        suspect_timeout_s: float = 3.0,
        on_change: Callable[[str, str | None, str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.me = me
        self.clock = clock
        self.suspect_timeout_s = suspect_timeout_s
        self.on_change = on_change
        self.members: dict[str, Member] = {me: Member(me, host, port, 0, "alive", clock())}
        self._order: list[str] = []

    # -- the table -----------------------------------------------------------------------
    def add(self, name: str, host: str, port: int) -> None:
        """A member known from configuration (or a join request), alive until shown otherwise."""
        if name not in self.members:
            self.members[name] = Member(name, host, port, 0, "alive", self.clock())
            self._changed(name, None, "alive")

    def state(self, name: str) -> str | None:
        m = self.members.get(name)
        return None if m is None else m.state

    def others(self, *states: str) -> list[str]:
        return sorted(n for n, m in self.members.items() if n != self.me and m.state in states)

    def ring_members(self) -> list[str]:
        """Members whose ranges are theirs: every one that has not left."""
        return sorted(n for n, m in self.members.items() if m.state != "left")

    def unavailable(self) -> set[str]:
        """Members a coordinator skips: dead or gone."""
        return {n for n, m in self.members.items() if m.state in ("dead", "left")}

    def encode(self) -> bytes:
        return json.dumps([m.row() for m in self.members.values()]).encode()

    def merge(self, blob: bytes) -> None:
        """Merge a table received by gossip (bad input is ignored: gossip is best effort)."""
        try:
            rows = json.loads(blob)
        except (ValueError, UnicodeDecodeError):
            return
        if not isinstance(rows, list):
            return
        for row in rows:
            if not (isinstance(row, list) and len(row) == 5 and row[4] in RANK):
                continue
            name, host, port, inc, state = row
            if not (isinstance(name, str) and isinstance(port, int) and isinstance(inc, int)):
                continue
            self._merge_one(name, str(host), port, inc, state)

    def _merge_one(self, name: str, host: str, port: int, inc: int, state: str) -> None:
        mine = self.members.get(name)
        if name == self.me:
            assert mine is not None
            if state != "alive" and inc >= mine.incarnation and mine.state == "alive":
                mine.incarnation = inc + 1  # refute: I am alive, and newer than the rumour
            return
        if mine is None:
            self.members[name] = Member(name, host, port, inc, state, self.clock())
            self._changed(name, None, state)
            return
        if (inc, RANK[state]) <= (mine.incarnation, RANK[mine.state]):
            return
        old = mine.state
        mine.incarnation, mine.host, mine.port = inc, host, port
        if state != old:
            mine.state, mine.since = state, self.clock()
            self._changed(name, old, state)

    def set_state(self, name: str, state: str) -> None:
        """A local verdict about another member (at its current incarnation)."""
        m = self.members[name]
        if RANK[state] > RANK[m.state]:
            old, m.state, m.since = m.state, state, self.clock()
            self._changed(name, old, state)

    def leave(self) -> None:
        me = self.members[self.me]
        me.incarnation += 1
        me.state = "left"

    def _changed(self, name: str, old: str | None, new: str) -> None:
        if self.on_change is not None:
            self.on_change(name, old, new)

    # -- the detector's choices ----------------------------------------------------------
    def next_target(self) -> str | None:
        """The next member to probe: a shuffled round robin over those not gone."""
        live = set(self.others("alive", "suspect", "dead"))
        self._order = [n for n in self._order if n in live]
        if not self._order:
            self._order = list(live)
            random.shuffle(self._order)
        return self._order.pop() if self._order else None

    def helpers(self, target: str) -> list[str]:
        pool = [n for n in self.others("alive") if n != target]
        return random.sample(pool, min(INDIRECT_PROBES, len(pool)))

    def expire_suspects(self) -> list[str]:
        """Suspects past the timeout become dead; returns them."""
        now = self.clock()
        gone = [
            n
            for n, m in self.members.items()
            if m.state == "suspect" and now - m.since >= self.suspect_timeout_s
        ]
        for n in gone:
            self.set_state(n, "dead")
        return gone
