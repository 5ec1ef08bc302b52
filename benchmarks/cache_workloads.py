"""Synthetic cache traces whose character is known: recency-heavy, frequency-heavy, switching.

Used by the adaptive W-TinyLFU tests and ``bench-edge``. Every trace is a list of int keys,
deterministic for a seed, sized relative to the cache ``size`` it is meant for, and mixed as
the simulator mixes trace keys (``intern_keys``), so hashing sees well-spread ids.

- Recency-heavy: what was used a moment ago is what will be used next, and how often a key
  was used long ago says little. ``stack_trace`` draws each reuse from an LRU stack depth
  (the LRU stack model); ``shifting_trace`` moves a working set slowly through the key space,
  so a key is hot for a while and then never again.
- Frequency-heavy: ``zipf_scan_trace`` is a fixed Zipf popularity with one-off scans mixed in,
  where recency misleads (a scan's keys are recent but never reused).
- ``switching_trace`` is one kind for the first half and the other kind for the second.
- ``multi_loop_trace`` is several programs looping over arrays of their own, interleaved, one
  array a little larger than the cache: the pattern where LIRS beats frequency counts.
- ``extent_trace`` is shaped like a database's block trace and does not scale with the cache:
  runs of consecutive blocks (extents), a fixed Zipf-popular set of them and a long-tailed
  reuse of recent ones. Which policy wins depends on the cache size, as on a real trace
  replayed at several sizes.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random

from services.cache.simulator import intern_keys


def stack_trace(size: int, n: int, seed: int = 0, new: float = 0.1) -> list[int]:
    """LRU stack model: a new key with probability ``new``, else the key at a stack depth.

    Depths are log-uniform up to four cache sizes, so most reuses fall inside the cache, the
    rest a little beyond; popularity never accumulates (each key's future depends only on how
    recently it was used).
    """
    rng = random.Random(seed)
    stack: list[int] = []
    fresh = itertools.count()
    limit = 4 * size
    out = []
    for _ in range(n):
        if not stack or rng.random() < new:
            key = next(fresh)
        else:
            depth = min(int(rng.expovariate(1.0) * size * 0.6), len(stack) - 1)
            key = stack.pop(len(stack) - 1 - depth)
        stack.append(key)
        if len(stack) > limit:
            del stack[0]
        out.append(key)
    return intern_keys(out)


def shifting_trace(size: int, n: int, seed: int = 0, drift: float = 0.05) -> list[int]:
    """A Zipf-skewed working set of about two cache sizes that drifts through the key space.

    Every request moves the set's start forward by ``drift`` keys on average, so the set
    turns over about every ``2 * size / drift`` requests.
    """
    rng = random.Random(seed)
    width = 2 * size
    weights = [1.0 / (i + 1) ** 0.6 for i in range(width)]
    cum = list(itertools.accumulate(weights))
    total = cum[-1]
    # a fixed shuffle of offsets, so the hot keys are not always the oldest of the set
    perm = list(range(width))
    rng.shuffle(perm)
    start = 0.0
    out = []
    for _ in range(n):
        rank = bisect.bisect_left(cum, rng.random() * total)
        out.append(int(start) + perm[rank])
        start += drift * 2 * rng.random()
    return intern_keys(out)


def zipf_scan_trace(
    size: int, n: int, seed: int = 0, alpha: float = 0.9, scan: float = 0.3
) -> list[int]:
    """Fixed Zipf(``alpha``) popularity over 50 cache sizes of keys, plus one-off scans.

    A share ``scan`` of requests belongs to scans: runs of never-repeated keys.
    """
    rng = random.Random(seed)
    universe = 50 * size
    cum = list(itertools.accumulate(1.0 / (i + 1) ** alpha for i in range(universe)))
    total = cum[-1]
    fresh = itertools.count(10 * universe)
    out: list[int] = []
    while len(out) < n:
        if rng.random() < scan / (size / 4):  # a scan of about size/4 keys starts
            out.extend(next(fresh) for _ in range(rng.randint(size // 8, size // 2)))
        else:
            out.append(bisect.bisect_left(cum, rng.random() * total))
    return intern_keys(out[:n])


def multi_loop_trace(
    size: int,
    n: int,
    seed: int = 0,
    lengths: tuple[float, ...] = (0.3, 0.7, 1.2, 2.5),
    noise: float = 0.1,
    run: int = 50,
) -> list[int]:
    """Loops over arrays of ``lengths`` cache sizes, in runs of up to ``run`` requests each.

    Each run continues one program's loop where it stopped; a share ``noise`` of requests are
    one-off keys. The best resident set is the shortest loops whole (here 0.3 + 0.7 of the
    cache): LRU keeps the most recent part of every loop and hits little, LIRS keeps the
    keys of short reuse distance; a frequency policy has to tell a loop of 0.7 cache sizes
    from one of 1.2 by counts that differ by a factor under two.
    """
    rng = random.Random(seed)
    lens = [max(2, int(f * size)) for f in lengths]
    pos = [0] * len(lens)
    fresh = itertools.count(len(lens) * 10 * size)
    out: list[int] = []
    while len(out) < n:
        p = rng.randrange(len(lens))
        for _ in range(rng.randint(1, run)):
            if rng.random() < noise:
                out.append(next(fresh))
            else:
                out.append(p * 10 * size + pos[p])
                pos[p] = (pos[p] + 1) % lens[p]
    return intern_keys(out[:n])


def switching_trace(size: int, n: int, seed: int = 0, first: str = "recency") -> list[int]:
    """Half one kind, half the other (``first`` is "recency" or "frequency")."""
    half = n // 2
    # re-mixed under another name: both generators number their keys from 0
    rec = intern_keys(("recency", k) for k in stack_trace(size, half, seed))
    freq = zipf_scan_trace(size, n - half, seed)
    return rec + freq if first == "recency" else freq + rec


def extent_trace(
    size: int,
    n: int,
    seed: int = 0,
    hot: float = 0.3,
    new: float = 0.15,
    hot_extents: int = 20_000,
    max_depth: int = 50_000,
) -> list[int]:
    """Extents of about four consecutive blocks: a share ``hot`` from a fixed Zipf(0.8) set of
    ``hot_extents``, a share ``new`` never seen before, the rest reused from an LRU stack of
    extents at a log-uniform depth up to ``max_depth`` (reuse a little while later is likely,
    much later still possible). ``size`` is ignored: the trace is the same for every cache.
    """
    del size
    rng = random.Random(seed)
    cum = list(itertools.accumulate(1.0 / (i + 1) ** 0.8 for i in range(hot_extents)))
    total = cum[-1]
    stack: list[tuple[int, int]] = []
    next_block = 64 * hot_extents  # hot extents start at multiples of 64 below this
    log_depth = math.log(max_depth)
    out: list[int] = []
    while len(out) < n:
        r = rng.random()
        length = 1 + int(rng.expovariate(0.25))
        if r < hot:
            extent = (64 * bisect.bisect_left(cum, rng.random() * total), length)
        elif r < hot + new or not stack:
            extent = (next_block, length)
            next_block += length
            stack.append(extent)
        else:
            depth = min(int(math.exp(rng.random() * log_depth)), len(stack))
            extent = stack.pop(len(stack) - depth)
            stack.append(extent)
        if len(stack) > max_depth + 1000:
            del stack[:1000]
        out.extend(range(extent[0], extent[0] + extent[1]))
    return intern_keys(out[:n])


def popular_extent_trace(size: int, n: int, seed: int = 0) -> list[int]:
    """``extent_trace`` with twice the share of requests to the fixed popular extents (0.6).

    Shaped like an OLTP buffer trace: ARC beats LRU by 2.5 points at 5000 entries, and the
    best window lies in between (a fixed 60% window is 0.2 above ARC there, 99% 2.4 below), so
    a climber that simply runs to a full window on a recency-heavy trace loses here.
    """
    return extent_trace(size, n, seed, hot=0.6)


def switching_recency_first(size: int, n: int, seed: int = 0) -> list[int]:
    """Recency-heavy (LRU stack) for the first half, frequency-heavy (Zipf and scans) after."""
    return switching_trace(size, n, seed, first="recency")


def switching_frequency_first(size: int, n: int, seed: int = 0) -> list[int]:
    """Frequency-heavy for the first half, recency-heavy after."""
    return switching_trace(size, n, seed, first="frequency")


RECENCY = {"stack": stack_trace, "shifting": shifting_trace}
FREQUENCY = {"zipf_scan": zipf_scan_trace}
# Neither kind throughout: scored against the best of every reference policy.
MIXED = {
    "extents": extent_trace,
    "hot_extents": popular_extent_trace,
    "switch_rf": switching_recency_first,
    "switch_fr": switching_frequency_first,
    "loops": multi_loop_trace,
}
