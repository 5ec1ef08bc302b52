"""Adaptive W-TinyLFU, the eviction policy of Caffeine.

New entries land in a small LRU *window*; the window's victims compete for a place in the
*main* segmented LRU (probation + protected) against main's own victim, and the one the
frequency sketch says was used more often recently wins (TinyLFU admission). A hill climber
resizes the window every sample period: when the hit ratio rose it keeps moving the same way,
when it fell it turns round, with a step that decays (and restarts on a large change). This
is Caffeine's ``BoundedLocalCache.climb`` with its step constants.

Measured departures from Caffeine, all checked against the LIRS traces in the benchmark
(``benchmarks/bench_edge.py``) with several hash salts:
- a candidate must beat the victim by more than one count: its own current miss is one count,
  and a looping victim is often one count behind only because its next use is still ahead;
- the climber samples 20x the capacity between steps instead of 10x, which steadies it;
- the sketch is wider (16 counters per entry and row, so collisions hardly bias admission)
  and ages faster (every 6x the capacity), which favours recent popularity.
"""

from __future__ import annotations

import random
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from typing import Any

from services.cache.sketch import FrequencySketch

PERCENT_MAIN = 0.99
PERCENT_MAIN_PROTECTED = 0.80
STEP_PERCENT = 0.0625
STEP_DECAY = 0.98
RESTART_THRESHOLD = 0.05
ADMIT_HASHDOS_THRESHOLD = 6
ADMIT_MARGIN = 1
CLIMB_SAMPLE_FACTOR = 20
SKETCH_SAMPLE_FACTOR = 6
SKETCH_WIDTH_FACTOR = 16

_MISSING: Any = object()


class WTinyLFUPolicy:
    """A bounded store with W-TinyLFU eviction; ``adaptive=False`` keeps the window fixed."""

    def __init__(self, capacity: int, *, adaptive: bool = True, seed: int = 1033096058) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.adaptive = adaptive
        self.max_window = capacity - int(PERCENT_MAIN * capacity)
        self.max_main = capacity - self.max_window
        self.max_protected = int(PERCENT_MAIN_PROTECTED * self.max_main)
        self.window: OrderedDict[Hashable, Any] = OrderedDict()
        self.probation: OrderedDict[Hashable, Any] = OrderedDict()
        self.protected: OrderedDict[Hashable, Any] = OrderedDict()
        self._where: dict[Hashable, OrderedDict[Hashable, Any]] = {}
        self.sketch = FrequencySketch(
            capacity, sample_factor=SKETCH_SAMPLE_FACTOR, width_factor=SKETCH_WIDTH_FACTOR
        )
        self._rng = random.Random(seed)
        # Hill-climber state.
        self._hits = 0
        self._misses = 0
        self._prev_hit_rate = 0.0
        self._step = -STEP_PERCENT * capacity
        self._sample = CLIMB_SAMPLE_FACTOR * capacity

    # -- reads -------------------------------------------------------------------------------
    def get(self, key: Hashable, default: Any = None) -> Any:
        seg = self._where.get(key)
        if seg is None:
            self._misses += 1
            if self.adaptive and self._hits + self._misses >= self._sample:
                self._climb()
            return default
        self.sketch.increment(key)
        self._hits += 1
        if seg is self.window or seg is self.protected:
            seg.move_to_end(key)
            value = seg[key]
        else:
            value = self.probation.pop(key)
            self._promote(key, value)
        if self.adaptive and self._hits + self._misses >= self._sample:
            self._climb()
        return value

    def _promote(self, key: Hashable, value: Any) -> None:
        protected = self.protected
        protected[key] = value
        self._where[key] = protected
        while len(protected) > self.max_protected:
            k, v = protected.popitem(last=False)
            self.probation[k] = v
            self._where[k] = self.probation

    # -- writes ------------------------------------------------------------------------------
    def put(self, key: Hashable, value: Any) -> list[tuple[Hashable, Any]]:
        seg = self._where.get(key)
        if seg is not None:
            seg[key] = value
            seg.move_to_end(key)
            return []
        self.sketch.increment(key)
        self.window[key] = value
        self._where[key] = self.window
        return self._evict()

    def _evict(self) -> list[tuple[Hashable, Any]]:
        evicted: list[tuple[Hashable, Any]] = []
        window, probation = self.window, self.probation
        while len(window) > self.max_window:
            k, v = window.popitem(last=False)
            probation[k] = v
            self._where[k] = probation
            if len(self._where) > self.capacity:
                evicted.append(self._evict_from_main(k))
        while len(self._where) > self.capacity:  # after a shrink of main
            victim = next(iter(probation or self.protected or window))
            evicted.append((victim, self._remove(victim)))
        return evicted

    def _evict_from_main(self, candidate: Hashable) -> tuple[Hashable, Any]:
        probation = self.probation
        victim = next(iter(probation))
        if victim == candidate:
            victim = next(iter(self.protected), candidate)
        loser = victim if self._admit(candidate, victim) else candidate
        return loser, self._remove(loser)

    def _admit(self, candidate: Hashable, victim: Hashable) -> bool:
        if candidate == victim:
            return False
        cand = self.sketch.frequency(candidate)
        vict = self.sketch.frequency(victim)
        if cand > vict + ADMIT_MARGIN:
            return True
        if cand >= ADMIT_HASHDOS_THRESHOLD:
            # Caffeine admits a warm candidate now and then so an attacker cannot pin victims.
            return (self._rng.getrandbits(7)) == 0
        return False

    def _remove(self, key: Hashable) -> Any:
        seg = self._where.pop(key)
        return seg.pop(key)

    def pop(self, key: Hashable, default: Any = None) -> Any:
        if key not in self._where:
            return default
        return self._remove(key)

    def access(self, key: Hashable) -> bool:
        """One request of a trace: True on a hit, else the key is admitted (or not)."""
        if self.get(key, _MISSING) is _MISSING:
            self.put(key, None)
            return False
        return True

    # -- hill climbing -----------------------------------------------------------------------
    def _climb(self) -> None:
        requests = self._hits + self._misses
        hit_rate = self._hits / requests
        change = hit_rate - self._prev_hit_rate
        amount = self._step if change >= 0 else -self._step
        if abs(change) >= RESTART_THRESHOLD:
            self._step = STEP_PERCENT * self.capacity * (1 if amount >= 0 else -1)
        else:
            self._step = STEP_DECAY * amount
        self._prev_hit_rate = hit_rate
        self._hits = self._misses = 0
        self._resize_window(int(amount))

    def _resize_window(self, amount: int) -> None:
        """Move ``amount`` entries of capacity from main to the window (negative: back)."""
        if amount > 0:
            amount = min(amount, self.max_main - 1)
            self.max_window += amount
            self.max_main -= amount
            while len(self.window) < self.max_window and (self.probation or self.protected):
                src = self.probation or self.protected
                k, v = src.popitem(last=False)
                self.window[k] = v
                self._where[k] = self.window
        elif amount < 0:
            amount = min(-amount, self.max_window - 1)
            self.max_window -= amount
            self.max_main += amount
            while len(self.window) > self.max_window:
                k, v = self.window.popitem(last=False)
                self.probation[k] = v
                self._where[k] = self.probation
        self.max_protected = int(PERCENT_MAIN_PROTECTED * self.max_main)
        while len(self.protected) > self.max_protected:
            k, v = self.protected.popitem(last=False)
            self.probation[k] = v
            self._where[k] = self.probation

    # -- introspection -----------------------------------------------------------------------
    def __contains__(self, key: object) -> bool:
        return key in self._where

    def __len__(self) -> int:
        return len(self._where)

    def keys(self) -> Iterator[Hashable]:
        return iter(list(self._where))

    def stats(self) -> dict[str, int]:
        return {
            "window": len(self.window),
            "probation": len(self.probation),
            "protected": len(self.protected),
            "max_window": self.max_window,
            "sketch_resets": self.sketch.resets,
        }
