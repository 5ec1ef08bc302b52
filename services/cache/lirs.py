"""LIRS (Jiang and Zhang, SIGMETRICS 2002) for the simulator, with 1% of the cache for HIR blocks.

A block's inter-reference recency decides its status: LIR blocks (low recency) stay resident;
HIR blocks live in a small queue ``Q`` and are evicted first. The stack ``S`` keeps recency
history, including non-resident HIR blocks, and is pruned so its bottom is always LIR.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable


class LIRSPolicy:
    def __init__(self, capacity: int, hir_percent: float = 0.01) -> None:
        self.capacity = capacity
        self.l_hirs = max(1, int(hir_percent * capacity)) if capacity > 1 else 0
        self.l_lirs = capacity - self.l_hirs
        self.s: OrderedDict[Hashable, None] = OrderedDict()  # end = top (most recent)
        self.q: OrderedDict[Hashable, None] = OrderedDict()  # resident HIR, end = newest
        self.lir: set[Hashable] = set()

    def _prune(self) -> None:
        s = self.s
        while s:
            bottom = next(iter(s))
            if bottom in self.lir:
                return
            del s[bottom]

    def _demote_bottom_lir(self) -> None:
        bottom = next(iter(self.s))
        self.lir.discard(bottom)
        del self.s[bottom]
        self.q[bottom] = None
        self._prune()

    def _to_top(self, key: Hashable) -> None:
        self.s.pop(key, None)
        self.s[key] = None

    def access(self, key: Hashable) -> bool:
        s, q, lir = self.s, self.q, self.lir
        if key in lir:
            was_bottom = next(iter(s)) == key
            self._to_top(key)
            if was_bottom:
                self._prune()
            return True
        if key in q:  # resident HIR
            if key in s:
                del q[key]
                lir.add(key)
                self._to_top(key)
                self._demote_bottom_lir()
            else:
                self._to_top(key)
                q.move_to_end(key)
            return True
        # Miss.
        if len(lir) < self.l_lirs:
            lir.add(key)
            self._to_top(key)
            return False
        if len(q) >= max(1, self.l_hirs) or len(lir) + len(q) >= self.capacity:
            q.popitem(last=False)  # evicted; it stays in S as a non-resident HIR if there
        if key in s:
            lir.add(key)
            self._to_top(key)
            self._demote_bottom_lir()
        else:
            self._to_top(key)
            q[key] = None
        if len(s) > 4 * self.capacity:  # bound the history of non-resident blocks
            for k in [k for k in s if k not in lir and k not in q][: len(s) - 3 * self.capacity]:
                del s[k]
            self._prune()
        return False
