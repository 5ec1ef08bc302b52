"""Adaptive W-TinyLFU's hill climber on traces whose character is known by construction."""

from __future__ import annotations

import random

from benchmarks.cache_workloads import (
    extent_trace,
    shifting_trace,
    stack_trace,
    switching_trace,
    zipf_scan_trace,
)
from services.cache.climber import REVERSAL_PERIODS
from services.cache.policies import LRUPolicy
from services.cache.simulator import simulate
from services.cache.wtinylfu import ClimbSettings, WTinyLFUPolicy

SIZE = 100


def _hits(policy, trace: list[int]) -> float:
    return sum(1 for k in trace if policy.access(k)) / len(trace)


def test_window_grows_to_most_of_the_cache_on_recency_heavy_traces() -> None:
    for make in (stack_trace, shifting_trace):
        trace = make(SIZE, 150 * SIZE, seed=3)
        cache = WTinyLFUPolicy(SIZE)
        adaptive = _hits(cache, trace)
        assert cache.max_window >= 0.6 * SIZE, make.__name__
        # within one point of the best of LRU, ARC and LIRS, warm-up included
        best = max(simulate(trace, SIZE, p).hit_ratio for p in ("lru", "arc", "lirs"))
        assert adaptive >= best - 0.01, (make.__name__, adaptive, best)
        assert adaptive > _hits(WTinyLFUPolicy(SIZE, adaptive=False), trace) + 0.03


def test_a_large_cache_with_sampled_shadows_still_grows_its_window_early() -> None:
    # 2000 entries: the shadows see a quarter of the keys, too few to decide alone in time;
    # the ghosts of rejected candidates and evicted victims, which see every request, do.
    size = 2000
    for make in (stack_trace, shifting_trace):
        trace = make(size, 40 * size, seed=4)
        half = len(trace) // 2
        cache = WTinyLFUPolicy(size)
        assert cache.climber is not None and not cache.climber.whole
        _hits(cache, trace[:half])
        assert cache.max_window >= 0.6 * size, (make.__name__, cache.max_window)
        adaptive = _hits(cache, trace[half:])
        lru = LRUPolicy(size)
        _hits(lru, trace[:half])
        assert adaptive >= _hits(lru, trace[half:]) - 0.01, make.__name__


def test_rejected_candidates_that_return_are_counted_as_ghost_hits() -> None:
    cache = WTinyLFUPolicy(SIZE)
    for k in range(20 * SIZE):  # a hot set seen often enough to win every admission
        cache.access(k % (SIZE // 2))
    for k in range(10**6, 10**6 + 2 * SIZE):  # new keys, rejected at admission
        cache.access(k)
    before = cache.rejected_hits
    cache.access(10**6 + 2 * SIZE - 5)  # just rejected: a larger window would have held it
    assert cache.rejected_hits == before + 1
    assert WTinyLFUPolicy(SIZE, adaptive=False).stats()["rejected_hits"] == 0


def test_window_stays_small_on_a_frequency_heavy_trace() -> None:
    trace = zipf_scan_trace(SIZE, 80 * SIZE, seed=3)
    cache = WTinyLFUPolicy(SIZE)
    adaptive = _hits(cache, trace)
    assert cache.max_window <= 0.15 * SIZE
    # the search costs under half a point against the static window it should keep
    assert adaptive >= _hits(WTinyLFUPolicy(SIZE, adaptive=False), trace) - 0.005
    assert adaptive > _hits(LRUPolicy(SIZE), trace) + 0.03


def test_window_follows_a_trace_that_switches_halfway() -> None:
    for first in ("recency", "frequency"):
        trace = switching_trace(SIZE, 160 * SIZE, seed=5, first=first)
        cache = WTinyLFUPolicy(SIZE)
        half = len(trace) // 2
        _hits(cache, trace[:half])
        at_half = cache.max_window
        _hits(cache, trace[half:])
        small, large = (
            (cache.max_window, at_half) if first == "recency" else (at_half, cache.max_window)
        )
        assert large >= 0.6 * SIZE and small <= 0.15 * SIZE, (first, at_half, cache.max_window)


def test_climber_holds_still_when_the_shadows_cannot_tell_the_windows_apart() -> None:
    cache = WTinyLFUPolicy(SIZE)
    start = cache.max_window
    for k in range(50 * SIZE):  # every key new: no window size hits anything
        cache.access(k)
    assert cache.climber is not None and cache.climber.climbs >= 15
    assert cache.max_window == start


def test_step_decays_and_restarts_at_full_size_when_the_workload_changes() -> None:
    trace = switching_trace(SIZE, 160 * SIZE, seed=5, first="recency")
    cache = WTinyLFUPolicy(SIZE)
    climber = cache.climber
    assert climber is not None
    half = len(trace) // 2
    for k in trace[:half]:
        cache.access(k)
    decayed = climber._step
    full = climber.settings.step_percent * climber.settings.decay
    assert decayed < 0.8 * full
    largest = 0.0
    for k in trace[half : half + 20 * SIZE]:
        cache.access(k)
        largest = max(largest, climber._step)
    assert largest >= full


def test_resizing_keeps_the_capacity_split_and_the_bound() -> None:
    rng = random.Random(1)
    cache = WTinyLFUPolicy(SIZE, climb=ClimbSettings(step_percent=0.25))
    trace = stack_trace(SIZE, 40 * SIZE, seed=1) + [rng.randrange(10**6) for _ in range(2000)]
    for k in trace:
        cache.access(k)
        assert len(cache) <= SIZE
    assert cache.max_window + cache.max_main == SIZE
    assert len(cache.window) <= cache.max_window


def test_a_large_cache_samples_a_small_share_of_keys_into_fixed_size_shadows() -> None:
    cache = WTinyLFUPolicy(20_000)
    climber = cache.climber
    assert climber is not None and climber.shadow_capacity == 512
    for k in range(40_000):
        cache.access(random.Random(k).getrandbits(62))
    sampled = len(climber._low)
    assert 0 < sampled <= 512


def test_static_policy_has_no_climber() -> None:
    assert WTinyLFUPolicy(SIZE, adaptive=False).climber is None


def test_extent_trace_is_the_same_for_every_cache_and_the_climber_keeps_up_on_it() -> None:
    trace = extent_trace(100, 60_000, seed=2)
    assert trace == extent_trace(5000, 60_000, seed=2)  # the cache size plays no part
    assert len(trace) == 60_000 and len(set(trace)) < len(trace)
    for size in (200, 3000):
        lru = simulate(trace, size, "lru").hit_ratio
        static = _hits(WTinyLFUPolicy(size, adaptive=False), trace)
        assert _hits(WTinyLFUPolicy(size), trace) >= max(lru, static) - 0.01, size


def test_the_aging_setting_changes_the_adaptive_caches_own_sketch_and_not_its_shadows() -> None:
    default = WTinyLFUPolicy(SIZE)
    slow = WTinyLFUPolicy(SIZE, climb=ClimbSettings(sketch_sample_factor=12))
    static = WTinyLFUPolicy(SIZE, adaptive=False, climb=ClimbSettings(sketch_sample_factor=12))
    assert default.sketch.sample_size == static.sketch.sample_size == 6 * SIZE
    assert slow.sketch.sample_size == 12 * SIZE
    for cache in (default, slow):
        assert cache.climber is not None
        assert cache.climber._low.sketch.sample_size == 6 * cache.climber.shadow_capacity


def test_slower_aging_of_its_own_sketch_beats_the_static_window_on_zipf_with_scans() -> None:
    # A fixed popular set: counts kept over more requests rank it better than the static
    # cache's faster-aging sketch while the window stays small (the record's sixth round).
    size = 2 * SIZE
    slow = ClimbSettings(sketch_sample_factor=12)
    for seed in (1, 2, 3):
        trace = zipf_scan_trace(size, 80 * size, seed=seed)
        static = _hits(WTinyLFUPolicy(size, adaptive=False), trace)
        assert _hits(WTinyLFUPolicy(size, climb=slow), trace) >= static + 0.001, seed


def test_a_quick_reversal_halves_the_step_and_a_repeat_doubles_it_back() -> None:
    # Rprop's rule: where the shadows' verdict flips from one period to the next (short
    # phases), full steps each way cost more than they gain
    size = 1000
    cache = WTinyLFUPolicy(size)
    climber = cache.climber
    assert climber is not None

    def period(lean: int) -> tuple[int, float]:
        """One climb on clear evidence for a larger (+1) or smaller (-1) window, or none (0)."""
        before, step = cache.max_window, climber._step
        cache.misses += 100  # requests for the restart test's block, at a steady hit rate
        climber._split = 40 if lean else 0
        climber._high_hits, climber._low_hits = 40 * (lean > 0), 40 * (lean < 0)
        climber._climb()
        return cache.max_window - before, step * size

    moved, full = period(+1)
    assert moved == round(full)
    moved, full = period(+1)
    assert moved == round(full)
    moved, full = period(-1)  # a reversal: half a step
    assert moved == -round(full / 2)
    moved, full = period(+1)  # and another: a quarter
    assert moved == round(full / 4)
    moved, full = period(+1)  # a repeat doubles the scale back
    assert moved == round(full / 2)
    for _ in range(REVERSAL_PERIODS):  # a hold: the next move starts a new trend
        assert period(0)[0] == 0
    moved, full = period(-1)
    assert moved == -round(full)
    # a move against the floor changes nothing and is not a reversal
    cache.set_window(climber._min_window)
    climber._last_move, climber._scale = 1, 1.0
    assert period(-1)[0] == 0
    moved, full = period(+1)
    assert moved == round(full)
