"""Consistent hashing with virtual nodes: each node owns many small arcs of a 64-bit ring.

Adding a node takes over about ``1/(n+1)`` of the keys, each from one of the old owners; no
other key moves. ``preference_list`` walks clockwise collecting distinct nodes, which gives the
replicas of a key (and the fail-over order). Hashes are BLAKE2b, stable across processes.
"""

from __future__ import annotations

import bisect
import hashlib


def stable_hash(data: str) -> int:
    """A 64-bit hash that is the same in every process (unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(data.encode(), digest_size=8).digest(), "big")


class HashRing:
    def __init__(self, nodes: list[str] | None = None, vnodes: int = 160) -> None:
        if vnodes < 1:
            raise ValueError("vnodes must be at least 1")
        self.vnodes = vnodes
        self._points: list[int] = []
        self._owners: list[str] = []
        self.nodes: set[str] = set()
        for n in nodes or []:
            self.add(n)

    def add(self, node: str) -> None:
        if node in self.nodes:
            raise ValueError(f"node {node!r} is already on the ring")
        self.nodes.add(node)
        for i in range(self.vnodes):
            point = stable_hash(f"{node}#{i}")
            idx = bisect.bisect(self._points, point)
            self._points.insert(idx, point)
            self._owners.insert(idx, node)

    def remove(self, node: str) -> None:
        if node not in self.nodes:
            raise KeyError(node)
        self.nodes.discard(node)
        keep = [(p, o) for p, o in zip(self._points, self._owners, strict=True) if o != node]
        self._points = [p for p, _ in keep]
        self._owners = [o for _, o in keep]

    def preference_list(self, key: str, n: int = 1) -> list[str]:
        """The first ``n`` distinct nodes clockwise from ``key``: owner first, then replicas."""
        if not self._points:
            return []
        want = min(n, len(self.nodes))
        idx = bisect.bisect(self._points, stable_hash(key)) % len(self._points)
        out: list[str] = []
        owners = self._owners
        total = len(owners)
        for step in range(total):
            node = owners[(idx + step) % total]
            if node not in out:
                out.append(node)
                if len(out) == want:
                    break
        return out

    def owner(self, key: str) -> str:
        return self.preference_list(key, 1)[0]
