"""Link graph and PageRank by sparse power iteration (same fixed point as networkx.pagerank).

Duplicate edges collapse (as in a ``networkx.DiGraph``); dangling pages spread their rank
uniformly; convergence when the L1 change drops below ``n * tol``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp


def pagerank(
    edges: Iterable[tuple[str, str]],
    nodes: Iterable[str] = (),
    alpha: float = 0.85,
    tol: float = 1e-6,
    max_iter: int = 200,
) -> dict[str, float]:
    """PageRank of every node (those in ``nodes`` plus every edge endpoint)."""
    edge_set = set(edges)
    index: dict[str, int] = {}
    for node in nodes:
        index.setdefault(node, len(index))
    for a, b in edge_set:
        index.setdefault(a, len(index))
        index.setdefault(b, len(index))
    n = len(index)
    if n == 0:
        return {}
    if edge_set:
        src = np.fromiter((index[a] for a, _ in edge_set), dtype=np.int64, count=len(edge_set))
        dst = np.fromiter((index[b] for _, b in edge_set), dtype=np.int64, count=len(edge_set))
    else:
        src = dst = np.zeros(0, dtype=np.int64)
    outdeg = np.bincount(src, minlength=n).astype(float)
    weights = 1.0 / outdeg[src] if len(src) else np.zeros(0)
    # transition^T: rank flows from src to dst
    matrix = sp.csr_matrix((weights, (dst, src)), shape=(n, n))
    dangling = outdeg == 0
    p = np.full(n, 1.0 / n)
    x = p.copy()
    for _ in range(max_iter):
        last = x
        x = alpha * (matrix @ last + last[dangling].sum() * p) + (1 - alpha) * p
        if np.abs(x - last).sum() < n * tol:
            break
    names = list(index)
    return {names[i]: float(x[i]) for i in range(n)}
