"""The hill climber of adaptive W-TinyLFU (:mod:`services.cache.wtinylfu`), steered by shadows.

Kept apart from the cache so each module stays within bounds; the settings
(:class:`services.cache.wtinylfu.ClimbSettings`) and how each was chosen are documented
with the cache.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.cache.wtinylfu import ClimbSettings, WTinyLFUPolicy

MAX_PROBE = 0.5
MAX_EVIDENCE_PERIODS = 8
RESTART_PERIODS = 4
# Rprop's step rule (Riedmiller and Braun, 1993) on the direction of the moves: a move that
# reverses the last one within ``REVERSAL_PERIODS`` periods halves the step's scale, down to
# ``MIN_SCALE``; one in the same direction doubles it back, up to 1.
REVERSAL_PERIODS = 4
MIN_SCALE = 0.125


class HillClimber:
    """Caffeine's hill climber, steered by two sampled shadow caches instead of by time.

    Caffeine compares the hit rate of one sample period with the previous one: a change of
    workload between the two looks like the effect of the last move, and on short traces the
    noise of one period is larger than the effect of one step. Here a fixed share of the key
    space (hash-sampled, as in SHARDS) also runs through two small W-TinyLFU caches whose
    windows sit ``probe_percent`` below and above the real one; both see the same requests, so
    the one with more hits in a sample period says which way is uphill. The step, its decay
    and the restart of the step on a jump in the real hit rate are Caffeine's.

    A large cache samples few keys into the shadows, so their evidence grows slowly. The cache
    also keeps ghosts: misses on keys it just rejected at admission count for a larger window,
    misses on main victims it just evicted for a smaller one. Every request feeds them, but
    they are biased towards the window, so they only decide when the shadows lean their way.

    On a trace of short phases (sprite, multi2) the shadows' verdict flips from one period to
    the next, and a full step each way pays the cost of moving without staying long enough to
    gain. As in Rprop, a reversal soon after a move halves the step's scale and a move in the
    same direction doubles it back; a move after a hold of more than ``REVERSAL_PERIODS``
    periods (a new trend, such as a workload switch after the window settled) starts at full
    scale. Moves against a bound of the window change nothing and do not count.
    """

    def __init__(self, cache: WTinyLFUPolicy, settings: ClimbSettings) -> None:
        self.cache = cache
        self.settings = settings
        cap = cache.capacity
        self.shadow_capacity = min(cap, settings.shadow_entries)
        # keys whose 16 sample bits fall under the threshold are sampled
        self.threshold = max(1, round(65536 * self.shadow_capacity / cap))
        self.whole = self.shadow_capacity == cap  # the shadows see every key
        self._seen = (cache.hits, cache.misses)
        crp = settings.correlated_percent
        shadow = type(cache)  # static caches of the same kind
        self._low = shadow(self.shadow_capacity, adaptive=False, correlated=crp, age_at_fill=True)
        self._high = shadow(self.shadow_capacity, adaptive=False, correlated=crp, age_at_fill=True)
        self._period = max(1, int(settings.sample_factor * self.shadow_capacity))
        self._step = settings.step_percent
        self._prev_hit_rate = -1.0
        self._block_hits = self._block_requests = self._block_periods = 0
        self._sampled = self._low_hits = self._high_hits = self._split = self._periods = 0
        self.climbs = 0
        # Rprop: the scale of the step, the direction of the last move and periods since it
        self._scale = 1.0
        self._last_move = 0
        self._since_move = 0
        self._min_window = max(1, round(settings.min_window_percent * cap))
        self._probe = settings.probe_percent
        self._place_shadows()

    def observe(self, key: Hashable) -> None:
        """Run one sampled request through the shadows (the cache counts every request)."""
        low = self._low.access(key)
        high = self._high.access(key)
        if low != high:
            self._split += 1
            self._low_hits += low
            self._high_hits += high
        self._sampled += 1
        if self._sampled >= self._period:
            if self._low.sketch.resets:
                self._climb()
            else:  # no frequency history yet: a cold cache favours any large window
                self._sampled = self._low_hits = self._high_hits = self._split = 0
                self._seen = (self.cache.hits, self.cache.misses)

    def _climb(self) -> None:
        cs = self.settings
        # The workload changed when the hit rate of the last ``RESTART_PERIODS`` periods differs
        # from that of the ones before by the threshold and by more than three standard
        # deviations (one period alone is too noisy, and a looping trace's hit rate swings
        # with its phase): search widely again.
        hits, misses = self.cache.hits, self.cache.misses
        self._block_hits += hits - self._seen[0]
        self._block_requests += hits + misses - self._seen[0] - self._seen[1]
        self._seen = (hits, misses)
        self._block_periods += 1
        if self._block_periods >= RESTART_PERIODS:
            rate = self._block_hits / self._block_requests
            prev = self._prev_hit_rate
            noise = 3 * (2 * rate * (1 - rate) / self._block_requests) ** 0.5
            if prev >= 0 and abs(rate - prev) >= max(cs.restart_threshold, noise):
                self._step = cs.step_percent
            self._prev_hit_rate = rate
            self._block_hits = self._block_requests = self._block_periods = 0
        # A sign test on the requests that only one shadow hit: move when the difference is
        # beyond ``confidence`` standard deviations of a fair coin. Inconclusive evidence is
        # kept and added to (up to ``MAX_EVIDENCE_PERIODS``), so a small but steady difference
        # is found in time and noise alone rarely moves the window.
        self._periods += 1
        cache = self.cache
        diff = self._high_hits - self._low_hits
        # The ghosts' evidence covers every request, not a sample: when the shadows lean the
        # same way but are not yet conclusive, a clear ghost verdict moves the window.
        ghost = cache.rejected_hits - cache.evicted_hits
        ghost_n = cache.rejected_hits + cache.evicted_hits
        move = 0
        if diff and abs(diff) >= cs.confidence * self._split**0.5:
            move = 1 if diff > 0 else -1
        elif diff * ghost > 0 and abs(ghost) >= cs.ghost_confidence * ghost_n**0.5:
            move = 1 if ghost > 0 else -1
        if move:
            self._rescale(move)
            amount = max(1, round(self._step * self._scale * cache.capacity)) * move
            cache.set_window(max(self._min_window, cache.max_window + amount))
            self._probe = cs.probe_percent
            self._place_shadows()
            self._forget()
            cache.rejected_hits = cache.evicted_hits = 0
        elif not self._split and self._probe < MAX_PROBE:
            # a plateau: neither shadow sees a difference, so look further out
            self._probe = min(MAX_PROBE, 2 * self._probe)
            self._place_shadows()
            self._forget()
        elif self._periods >= MAX_EVIDENCE_PERIODS:
            self._forget()
            cache.rejected_hits = cache.evicted_hits = 0
        self._since_move += 1
        self._step *= cs.decay
        self._sampled = 0
        self.climbs += 1

    def _rescale(self, move: int) -> None:
        """Rprop's rule: halve the step's scale on a quick reversal, double it on a repeat."""
        cache = self.cache
        if not self._min_window <= cache.max_window + move < cache.capacity:
            return  # against a bound: no move
        if not self._last_move or self._since_move > REVERSAL_PERIODS:
            self._scale = 1.0  # a new trend after a hold
        elif move == self._last_move:
            self._scale = min(1.0, 2 * self._scale)
        else:
            self._scale = max(MIN_SCALE, self._scale / 2)
        self._last_move = move
        self._since_move = 0

    def _forget(self) -> None:
        self._low_hits = self._high_hits = self._split = self._periods = 0

    def _place_shadows(self) -> None:
        share = self.cache.max_window / self.cache.capacity
        probe = self._probe
        n = self.shadow_capacity
        floor = self.settings.min_window_percent
        self._low.set_window(max(1, round(max(floor, share - probe) * n)))
        self._high.set_window(min(n - 1, max(2, round((share + probe) * n))))
