"""Home-timeline storage in the cache tier: in-process by default, Redis when scaled out.

A timeline is the set of post ids pushed to one user, newest first, capped. Adds are
idempotent (a set keyed by post id), which is what makes a resumed fan-out safe: a follower
who already got a post before the crash does not get it twice. A timeline that was never
built (or was lost with a process) reads as ``None`` and is rebuilt from the database.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Protocol

from sortedcontainers import SortedSet

DEFAULT_CAP = 800


class TimelineStore(Protocol):
    cap: int

    def add(self, user_ids: Iterable[int], post_id: int) -> None: ...

    def replace(self, user_id: int, post_ids: Iterable[int]) -> None: ...

    def add_posts(self, user_id: int, post_ids: Iterable[int]) -> None: ...

    def remove_posts(self, user_id: int, post_ids: Iterable[int]) -> None: ...

    def page(self, user_id: int, before: int | None, limit: int) -> list[int] | None: ...

    def is_full(self, user_id: int) -> bool: ...


class InProcessTimelines:
    """Timelines in this process's memory (the embedded default)."""

    def __init__(self, cap: int = DEFAULT_CAP) -> None:
        self.cap = cap
        self._lines: dict[int, SortedSet] = {}
        self._lock = threading.Lock()

    def _trim(self, line: SortedSet) -> None:
        while len(line) > self.cap:
            line.pop(0)

    def add(self, user_ids: Iterable[int], post_id: int) -> None:
        with self._lock:
            for uid in user_ids:
                line = self._lines.get(uid)
                if line is not None:  # unbuilt timelines are rebuilt from the database on read
                    line.add(post_id)
                    self._trim(line)

    def replace(self, user_id: int, post_ids: Iterable[int]) -> None:
        line = SortedSet(post_ids)
        self._trim(line)
        with self._lock:
            self._lines[user_id] = line

    def add_posts(self, user_id: int, post_ids: Iterable[int]) -> None:
        with self._lock:
            line = self._lines.get(user_id)
            if line is not None:
                line.update(post_ids)
                self._trim(line)

    def remove_posts(self, user_id: int, post_ids: Iterable[int]) -> None:
        with self._lock:
            line = self._lines.get(user_id)
            if line is not None:
                for pid in post_ids:
                    line.discard(pid)

    def page(self, user_id: int, before: int | None, limit: int) -> list[int] | None:
        with self._lock:
            line = self._lines.get(user_id)
            if line is None:
                return None
            end = len(line) if before is None else line.bisect_left(before)
            return list(reversed(line[max(0, end - limit) : end]))

    def is_full(self, user_id: int) -> bool:
        with self._lock:
            line = self._lines.get(user_id)
            return line is not None and len(line) >= self.cap

    def forget_all(self) -> None:
        """What a process restart does to in-memory timelines."""
        with self._lock:
            self._lines.clear()


class RedisTimelines:
    """Timelines as Redis sorted sets (score = post id) plus a marker key per built timeline."""

    def __init__(self, client, cap: int = DEFAULT_CAP, prefix: str = "bp:tl") -> None:
        self.client = client
        self.cap = cap
        self.prefix = prefix

    def _key(self, uid: int) -> str:
        return f"{self.prefix}:{uid}"

    def _marker(self, uid: int) -> str:
        return f"{self.prefix}:{uid}:built"

    def add(self, user_ids: Iterable[int], post_id: int) -> None:
        ids = list(user_ids)
        for start in range(0, len(ids), 1000):
            pipe = self.client.pipeline(transaction=False)
            for uid in ids[start : start + 1000]:
                pipe.zadd(self._key(uid), {str(post_id): post_id})
                pipe.zremrangebyrank(self._key(uid), 0, -self.cap - 1)
            pipe.execute()

    def replace(self, user_id: int, post_ids: Iterable[int]) -> None:
        ids = list(post_ids)
        pipe = self.client.pipeline(transaction=True)
        pipe.delete(self._key(user_id))
        if ids:
            pipe.zadd(self._key(user_id), {str(p): p for p in ids})
            pipe.zremrangebyrank(self._key(user_id), 0, -self.cap - 1)
        pipe.set(self._marker(user_id), 1)
        pipe.execute()

    def add_posts(self, user_id: int, post_ids: Iterable[int]) -> None:
        ids = list(post_ids)
        if ids and self.client.exists(self._marker(user_id)):
            self.client.zadd(self._key(user_id), {str(p): p for p in ids})
            self.client.zremrangebyrank(self._key(user_id), 0, -self.cap - 1)

    def remove_posts(self, user_id: int, post_ids: Iterable[int]) -> None:
        ids = [str(p) for p in post_ids]
        if ids:
            self.client.zrem(self._key(user_id), *ids)

    def page(self, user_id: int, before: int | None, limit: int) -> list[int] | None:
        if not self.client.exists(self._marker(user_id)):
            return None
        top = "+inf" if before is None else f"({before}"
        raw = self.client.zrevrangebyscore(self._key(user_id), top, "-inf", start=0, num=limit)
        return [int(x) for x in raw]

    def is_full(self, user_id: int) -> bool:
        return self.client.zcard(self._key(user_id)) >= self.cap
