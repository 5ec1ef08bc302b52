"""Home-timeline storage in the cache tier: in-process by default, Redis when scaled out.

A timeline is the set of post ids pushed to one user, newest first, capped. Adds are
idempotent (a set keyed by post id), which is what makes a resumed fan-out safe: a follower
who already got a post before the crash does not get it twice. A timeline that was never
built (or was lost with a process) reads as ``None`` and is rebuilt from the database.

``timelines_on(cache)`` puts timelines in the social system's cache tier: in this process
when its nodes are in-process, else as sorted sets on its Redis servers, each user's timeline
on the server the tier's consistent-hash ring picks for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from sortedcontainers import SortedSet

from services.cache import CacheClient, RedisNode

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
    """Timelines as Redis sorted sets (score = post id) plus a marker key per built timeline.

    ``route`` maps a timeline's key to the Redis client holding it (several servers); without
    it every timeline lives on ``client``. A timeline and its marker share a server.
    """

    def __init__(
        self,
        client: Any = None,
        cap: int = DEFAULT_CAP,
        prefix: str = "bp:tl",
        *,
        route: Callable[[str], Any] | None = None,
    ) -> None:
        if client is None and route is None:
            raise ValueError("give a Redis client or a route to several")
        self.client = client
        self.cap = cap
        self.prefix = prefix
        self._route = route

    def _key(self, uid: int) -> str:
        return f"{self.prefix}:{uid}"

    def _marker(self, uid: int) -> str:
        return f"{self.prefix}:{uid}:built"

    def _on(self, uid: int) -> Any:
        return self.client if self._route is None else self._route(self._key(uid))

    def add(self, user_ids: Iterable[int], post_id: int) -> None:
        by_server: dict[int, tuple[Any, list[int]]] = {}
        for uid in user_ids:
            server = self._on(uid)
            by_server.setdefault(id(server), (server, []))[1].append(uid)
        for server, ids in by_server.values():
            for start in range(0, len(ids), 1000):
                pipe = server.pipeline(transaction=False)
                for uid in ids[start : start + 1000]:
                    pipe.zadd(self._key(uid), {str(post_id): post_id})
                    pipe.zremrangebyrank(self._key(uid), 0, -self.cap - 1)
                pipe.execute()

    def replace(self, user_id: int, post_ids: Iterable[int]) -> None:
        ids = list(post_ids)
        pipe = self._on(user_id).pipeline(transaction=True)
        pipe.delete(self._key(user_id))
        if ids:
            pipe.zadd(self._key(user_id), {str(p): p for p in ids})
            pipe.zremrangebyrank(self._key(user_id), 0, -self.cap - 1)
        pipe.set(self._marker(user_id), 1)
        pipe.execute()

    def add_posts(self, user_id: int, post_ids: Iterable[int]) -> None:
        ids = list(post_ids)
        server = self._on(user_id)
        if ids and server.exists(self._marker(user_id)):
            server.zadd(self._key(user_id), {str(p): p for p in ids})
            server.zremrangebyrank(self._key(user_id), 0, -self.cap - 1)

    def remove_posts(self, user_id: int, post_ids: Iterable[int]) -> None:
        ids = [str(p) for p in post_ids]
        if ids:
            self._on(user_id).zrem(self._key(user_id), *ids)

    def page(self, user_id: int, before: int | None, limit: int) -> list[int] | None:
        server = self._on(user_id)
        if not server.exists(self._marker(user_id)):
            return None
        top = "+inf" if before is None else f"({before}"
        raw = server.zrevrangebyscore(self._key(user_id), top, "-inf", start=0, num=limit)
        return [int(x) for x in raw]

    def is_full(self, user_id: int) -> bool:
        return self._on(user_id).zcard(self._key(user_id)) >= self.cap


def timelines_on(cache: CacheClient, cap: int = DEFAULT_CAP) -> TimelineStore:
    """Home timelines in ``cache``'s tier: in this process, or on its Redis servers by ring."""
    nodes = list(cache.nodes.values())
    if not nodes or not all(isinstance(n, RedisNode) for n in nodes):
        return InProcessTimelines(cap)

    def route(key: str) -> Any:
        return cache.nodes[cache.ring.preference_list(key, 1)[0]].client

    return RedisTimelines(cap=cap, prefix="social:tl", route=route)
