"""Live feed updates: each connected viewer has a queue; a new post is offered to the viewers
who follow its author. In-process pub/sub, since the SSE connections live in this process."""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from services.social.model import Post
from services.social.store import SocialStore


@dataclass(frozen=True, eq=False)
class Subscription:
    """One live connection: its event loop and the queue its updates arrive on."""

    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue


class FeedBroker:
    def __init__(self, max_queue: int = 100) -> None:
        self.max_queue = max_queue
        self._subs: dict[str, set[Subscription]] = defaultdict(set)
        self._lock = threading.Lock()

    def subscribe(self, viewer: str) -> Subscription:
        sub = Subscription(asyncio.get_running_loop(), asyncio.Queue(self.max_queue))
        with self._lock:
            self._subs[viewer].add(sub)
        return sub

    def unsubscribe(self, viewer: str, sub: Subscription) -> None:
        with self._lock:
            self._subs[viewer].discard(sub)
            if not self._subs[viewer]:
                del self._subs[viewer]

    def viewers(self) -> list[str]:
        with self._lock:
            return list(self._subs)

    def publish(self, viewer: str, message: dict[str, Any]) -> None:
        """Offer ``message`` to every connection of ``viewer``; a full queue drops the update
        for that slow client only (the feed itself is always complete on the next fetch)."""
        with self._lock:
            subs = list(self._subs.get(viewer, ()))
        for sub in subs:
            sub.loop.call_soon_threadsafe(_offer, sub.queue, message)


def _offer(queue: asyncio.Queue, message: dict[str, Any]) -> None:
    if not queue.full():
        queue.put_nowait(message)


def announce_post(broker: FeedBroker | None, store: SocialStore, post: Post) -> int:
    """Tell connected followers of ``post``'s author about it. Returns how many were told."""
    if broker is None:
        return 0
    viewers = broker.viewers()
    if not viewers:
        return 0
    told = 0
    for viewer in store.followers_among(post.author_id, viewers):
        broker.publish(viewer, {"id": post.id, "author": post.author, "text": post.text})
        told += 1
    return told
