"""Miss-ratio curves: hit ratio against cache size, per policy, and the size to buy.

Used by the ``cache_miss_ratio_curve`` asset on the shortener's redirect log and by
``blueprint cache mrc`` on trace files.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from services.cache.simulator import intern_keys, simulate

MRC_POLICIES = ("fifo", "lru", "arc", "wtinylfu", "opt")


def default_sizes(distinct_keys: int, points: int = 8) -> list[int]:
    """Log-spaced sizes from about 1% of the distinct keys up to all of them."""
    top = max(1, distinct_keys)
    sizes = {max(1, round(top * (0.01 ** (1 - i / (points - 1))))) for i in range(points)}
    return sorted(sizes)


def miss_ratio_curves(
    trace: Sequence[Hashable], sizes: Sequence[int], policies: Sequence[str] = MRC_POLICIES
) -> list[dict]:
    """One row per (policy, size): hit and miss ratio of ``trace``."""
    keys = intern_keys(trace)
    rows = []
    for policy in policies:
        for size in sizes:
            res = simulate(keys, size, policy)
            rows.append(
                {
                    "policy": policy,
                    "size": size,
                    "hit_ratio": res.hit_ratio,
                    "miss_ratio": 1 - res.hit_ratio,
                    "requests": res.requests,
                }
            )
    return rows


def recommend_size(rows: list[dict], target: float, policy: str = "wtinylfu") -> int | None:
    """The smallest simulated size where ``policy`` reaches ``target`` hit ratio, else None."""
    ok = sorted(r["size"] for r in rows if r["policy"] == policy and r["hit_ratio"] >= target)
    return ok[0] if ok else None
