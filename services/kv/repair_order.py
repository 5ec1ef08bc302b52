"""Divergence-driven repair order: token ranges ranked by the divergence the lake recorded
(read repairs and anti-entropy differences), and what repairing the worst first buys.

Anti-entropy compares one range per step. Given how many divergent keys each range held,
``convergence`` replays both orders, worst first and round-robin around the ring, and reports
the steps until every divergent key is repaired and the mean step at which a divergent key was
repaired (how long a reader could meet it stale).
"""

from __future__ import annotations

import polars as pl

from warehouse.lake import Lake

DIVERGENCE_SQL = """
SELECT CAST(json_extract(attrs, '$.key_range') AS BIGINT) AS key_range,
       sum(CASE WHEN type = 'kv_read_repair'
                THEN CAST(json_extract(attrs, '$.replicas') AS BIGINT) ELSE 0 END) AS read_repairs,
       sum(CASE WHEN type = 'kv_anti_entropy'
                THEN CAST(json_extract(attrs, '$.repaired') AS BIGINT) ELSE 0 END) AS ae_repaired,
       count(*) FILTER (WHERE type = 'kv_anti_entropy') AS exchanges
FROM events
WHERE system = 'kv' AND type IN ('kv_read_repair', 'kv_anti_entropy')
GROUP BY 1
"""

EMPTY = pl.DataFrame(
    schema={
        "key_range": pl.Int64,
        "read_repairs": pl.Int64,
        "ae_repaired": pl.Int64,
        "exchanges": pl.Int64,
        "divergence": pl.Int64,
        "rank": pl.Int64,
    }
)


def divergence_by_range(lake: Lake) -> pl.DataFrame:
    """Token ranges by observed divergence, worst first (rank 1)."""
    if "events" not in lake.tables():
        return EMPTY
    df = lake.query(DIVERGENCE_SQL)
    if df.height == 0:
        return EMPTY
    df = df.with_columns(
        pl.col("key_range").cast(pl.Int64),
        pl.col("read_repairs").cast(pl.Int64),
        pl.col("ae_repaired").cast(pl.Int64),
        pl.col("exchanges").cast(pl.Int64),
        (pl.col("read_repairs") + pl.col("ae_repaired")).cast(pl.Int64).alias("divergence"),
    ).sort(["divergence", "key_range"], descending=[True, False])
    return df.with_columns(pl.int_range(1, df.height + 1, dtype=pl.Int64).alias("rank"))


def convergence(divergent: dict[int, int], total_ranges: int) -> dict[str, dict[str, float]]:
    """Steps to full repair and mean step per repaired key, worst first vs round-robin."""
    bad = {r: k for r, k in divergent.items() if k > 0}
    keys = sum(bad.values())
    orders = {
        "worst_first": sorted(bad, key=lambda r: (-bad[r], r)),
        "round_robin": sorted(bad),  # the ring order from range 0, as a sweep visits them
    }
    out: dict[str, dict[str, float]] = {}
    for name, order in orders.items():
        steps = 0
        weighted = 0.0
        for r in order:
            steps = (order.index(r) + 1) if name == "worst_first" else r + 1
            weighted += steps * bad[r]
        out[name] = {
            "steps_to_converge": float(steps if bad else 0),
            "mean_steps_per_key": weighted / keys if keys else 0.0,
            "ranges": float(total_ranges),
        }
    return out
