"""Probabilistically Bounded Staleness (Bailis et al., VLDB 2012): the probability that a read
started ``t`` ms after a write was acknowledged returns it (or something newer), for each
(N, R, W), by Monte Carlo over the WARS model fed with replica latencies the nodes logged.

The nodes log round trips per replica: a write's acknowledgements (``kv_write_replicas``) and
a read's responses (``kv_read_replicas``). As the paper does when only round trips are known,
each is split evenly into its two legs (W = A = write RTT / 2, R = S = read RTT / 2).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import orjson
import polars as pl

from warehouse.lake import Lake

DEFAULT_T_MS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0)

LATENCY_SQL = """
SELECT type, attrs FROM events
WHERE system = 'kv' AND type IN ('kv_write_replicas', 'kv_read_replicas')
"""


def replica_latencies(lake: Lake) -> tuple[list[float], list[float]]:
    """(write round trips, read round trips) in ms, one per replica answer logged."""
    if "events" not in lake.tables():
        return [], []
    writes: list[float] = []
    reads: list[float] = []
    for row in lake.query(LATENCY_SQL).iter_rows(named=True):
        values = [float(x) for x in orjson.loads(row["attrs"]).get("latencies_ms", [])]
        (writes if row["type"] == "kv_write_replicas" else reads).extend(
            v for v in values if v >= 0
        )
    return writes, reads


def consistency_probability(
    write_rtts: Sequence[float],
    read_rtts: Sequence[float],
    n: int,
    r: int,
    w: int,
    t_ms: Sequence[float] = DEFAULT_T_MS,
    *,
    trials: int = 20_000,
    seed: int = 0,
) -> list[float]:
    """P(a read ``t`` ms after the write's commit sees it), for each t."""
    if not 1 <= r <= n or not 1 <= w <= n:
        raise ValueError("need 1 <= R, W <= N")
    if not write_rtts or not read_rtts:
        raise ValueError("no latencies to sample")
    rng = np.random.default_rng(seed)
    wr = rng.choice(np.asarray(write_rtts, dtype=float), size=(trials, n))
    rr = rng.choice(np.asarray(read_rtts, dtype=float), size=(trials, n))
    w_leg = wr / 2  # the write reaches replica i at w_leg[i] ...
    commit = np.sort(wr, axis=1)[:, w - 1]  # ... and is acknowledged after W round trips
    r_leg = rr / 2
    first_r = np.argsort(rr, axis=1)[:, :r]  # the R replicas whose answers arrive first
    out = []
    for t in t_ms:
        has = w_leg <= (commit + t)[:, None] + r_leg
        seen = np.take_along_axis(has, first_r, axis=1).any(axis=1)
        out.append(float(seen.mean()))
    return out


def pbs_table(
    write_rtts: Sequence[float],
    read_rtts: Sequence[float],
    n: int = 3,
    t_ms: Sequence[float] = DEFAULT_T_MS,
) -> pl.DataFrame:
    """One row per (N, R, W, t): the probability of a consistent read."""
    rows = []
    for r in range(1, n + 1):
        for w in range(1, n + 1):
            probs = consistency_probability(write_rtts, read_rtts, n, r, w, t_ms)
            for t, p in zip(t_ms, probs, strict=True):
                rows.append({"n": n, "r": r, "w": w, "t_ms": float(t), "p_consistent": p})
    return pl.DataFrame(
        rows,
        schema={
            "n": pl.Int64,
            "r": pl.Int64,
            "w": pl.Int64,
            "t_ms": pl.Float64,
            "p_consistent": pl.Float64,
        },
    )
