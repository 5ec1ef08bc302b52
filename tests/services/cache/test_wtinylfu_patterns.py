"""Adaptive W-TinyLFU on access patterns built here: loops, scans over a hot set, phase switches.

Each trace is generated in the test so its character is known exactly; the references are
LRU, LIRS and static W-TinyLFU run on the same trace.
"""

from __future__ import annotations

import random

from benchmarks.cache_workloads import multi_loop_trace, popular_extent_trace
from services.cache.simulator import intern_keys, simulate
from services.cache.wtinylfu import WTinyLFUPolicy

SIZE = 200


def _hits(policy: WTinyLFUPolicy, trace: list[int]) -> float:
    return sum(1 for k in trace if policy.access(k)) / len(trace)


def _loop(length: int, rounds: int) -> list[int]:
    return intern_keys(k for _ in range(rounds) for k in range(length))


def _hot_with_scans(seed: int, n: int) -> list[int]:
    """A hot set of half the cache read at random, broken by scans of twice the cache."""
    rng = random.Random(seed)
    fresh = 10**9
    out: list[int] = []
    while len(out) < n:
        out.extend(rng.randrange(SIZE // 2) for _ in range(SIZE))
        out.extend(range(fresh, fresh + 2 * SIZE))
        fresh += 2 * SIZE
    return intern_keys(out[:n])


def test_a_loop_slightly_larger_than_the_cache_keeps_a_fixed_resident_set() -> None:
    # LRU evicts each key just before its reuse and hits nothing; LIRS keeps most of the loop.
    for length in (int(1.1 * SIZE), int(1.5 * SIZE)):
        trace = _loop(length, 80)
        cache = WTinyLFUPolicy(SIZE)
        adaptive = _hits(cache, trace)
        lirs = simulate(trace, SIZE, "lirs").hit_ratio
        assert simulate(trace, SIZE, "lru").hit_ratio == 0.0
        assert adaptive >= lirs - 0.02, (length, adaptive, lirs)
        assert cache.max_window <= 0.15 * SIZE, (length, cache.max_window)


def test_interleaved_loops_keep_the_shortest_loops_resident() -> None:
    # Four programs loop over 0.3, 0.7, 1.2 and 2.5 cache sizes: the two shortest fit together.
    trace = multi_loop_trace(SIZE, 60 * SIZE, seed=3)
    cache = WTinyLFUPolicy(SIZE)
    adaptive = _hits(cache, trace)
    lirs = simulate(trace, SIZE, "lirs").hit_ratio
    assert simulate(trace, SIZE, "lru").hit_ratio < 0.15
    assert adaptive >= lirs - 0.01, (adaptive, lirs)
    assert adaptive > simulate(trace, SIZE, "arc").hit_ratio + 0.1
    assert cache.max_window <= 0.15 * SIZE, cache.max_window


def test_scans_do_not_flush_a_hot_set() -> None:
    trace = _hot_with_scans(seed=3, n=150 * SIZE)
    cache = WTinyLFUPolicy(SIZE)
    adaptive = _hits(cache, trace)
    static = _hits(WTinyLFUPolicy(SIZE, adaptive=False), trace)
    lru = simulate(trace, SIZE, "lru").hit_ratio
    assert adaptive >= static - 0.01, (adaptive, static)
    assert adaptive > lru + 0.1, (adaptive, lru)
    assert cache.max_window <= 0.5 * SIZE


def test_a_new_hot_set_replaces_the_old_one_after_a_phase_switch() -> None:
    # Frequency-heavy on both sides, disjoint keys: the sketch's aging must let the new hot
    # set win admission against the old one's inflated counts.
    rng = random.Random(5)
    n = 80 * SIZE
    first = [rng.randrange(SIZE // 2) for _ in range(n)]
    second = [SIZE + rng.randrange(SIZE // 2) for _ in range(n)]
    trace = intern_keys(first + second)
    cache = WTinyLFUPolicy(SIZE)
    _hits(cache, trace[: n + 20 * SIZE])
    # after twenty cache sizes of the new phase, it hits as a cache holding the set would
    assert _hits(cache, trace[n + 20 * SIZE :]) >= 0.98


def test_the_window_stops_in_between_when_a_popular_set_carries_the_hits() -> None:
    # Recency-heavy extents plus a fixed popular set: neither a full window (LRU) nor the
    # smallest one (static) is best, and running to either end loses to ARC.
    trace = popular_extent_trace(0, 120_000, seed=2)
    size = 1000
    cache = WTinyLFUPolicy(size)
    adaptive = _hits(cache, trace)
    assert 0.2 * size <= cache.max_window <= 0.85 * size, cache.max_window
    assert adaptive >= simulate(trace, size, "arc").hit_ratio - 0.01
    assert adaptive > simulate(trace, size, "lru").hit_ratio + 0.01
    assert adaptive > _hits(WTinyLFUPolicy(size, adaptive=False), trace) + 0.01


def test_the_victim_is_the_least_used_of_probations_oldest_entries() -> None:
    cache = WTinyLFUPolicy(100, adaptive=False)
    for k in range(100):
        cache.put(k, k)
    oldest = list(cache.probation)[:3]
    assert len(oldest) == 3
    for _ in range(4):  # the oldest is popular, the second is not, the third is middling
        cache.sketch.increment(oldest[0])
    cache.sketch.increment(oldest[2])
    (candidate,) = cache.window  # leaves the window on the next put and meets a victim
    for _ in range(3):  # beats the unpopular entry by the margin, loses to the popular one
        cache.sketch.increment(candidate)
    evicted = cache.put("new", 0)
    assert evicted == [(oldest[1], oldest[1])]
    assert oldest[0] in cache and oldest[2] in cache and candidate in cache


def test_keys_read_twice_after_the_fill_displace_keys_read_once_while_filling() -> None:
    # every key of the fill was counted once; unaged, those counts tie a newcomer read twice
    # within the admission margin until the first regular reset, six capacities later
    def newcomers_kept(cache: WTinyLFUPolicy) -> int:
        for k in range(100):
            cache.access(("fill", k))
        for k in range(5):
            cache.access(("new", k))
            cache.access(("new", k))
        cache.access("last")
        return sum(("new", k) in cache for k in range(5))

    assert newcomers_kept(WTinyLFUPolicy(100, adaptive=False)) == 0
    assert newcomers_kept(WTinyLFUPolicy(100, adaptive=False, age_at_fill=True)) == 4


def test_the_adaptive_cache_and_its_shadows_age_their_sketches_at_the_fill() -> None:
    cache = WTinyLFUPolicy(100)
    shadows = (cache.climber._low, cache.climber._high)
    for k in range(100):
        cache.access(k)
    assert cache.sketch.resets == 0 and all(s.sketch.resets == 0 for s in shadows)
    cache.access(100)  # the first admission decision
    assert cache.sketch.resets == 1 and all(s.sketch.resets == 1 for s in shadows)
    for k in range(101, 200):
        cache.access(k)
    assert cache.sketch.resets == 1  # once only; regular aging takes over
