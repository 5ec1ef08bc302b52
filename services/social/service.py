"""The social network's service: every interaction goes through here and becomes an event.

``SocialService`` owns the store (``SocialStore``: users, follows, posts, hybrid fan-out), the
social cache tier (home timelines, the popular-posts list, the latest trends) and the
emitter. Callers speak handles and opaque cursors; the service answers records and pages.

Other systems build on it: the news feed reads ``service.store`` for its candidates and
hears of new posts through ``subscribe_posts``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from services.cache import CacheClient
from services.errors import NotFound
from services.social.media import MediaResolver
from services.social.model import Message, Post, User
from services.social.notifying import SocialNotifier
from services.social.pagination import Page, decode_cursor, encode_cursor, keyset_page
from services.social.settings import SocialSettings
from services.social.store import SocialStore
from services.social.text import mentions
from services.social.trends import TRENDS_TABLE, latest_trends
from warehouse.emitter import Emitter

log = logging.getLogger(__name__)

SYSTEM = "social"
TRENDS_TTL_S = 60.0

PostListener = Callable[[Post], None]


class SocialService:
    """Users, follows, posts, likes, reposts, timelines, DMs, search and trends."""

    def __init__(
        self,
        store: SocialStore,
        cache: CacheClient,
        emitter: Emitter,
        *,
        conf: SocialSettings,
        lake_dir: Path,
        notifier: SocialNotifier | None = None,
        media: MediaResolver | None = None,
    ) -> None:
        self.store = store
        self.notifier = notifier
        self.media = media or MediaResolver()
        self.cache = cache
        self.emitter = emitter
        self.conf = conf
        self.lake_dir = lake_dir
        self._post_listeners: list[PostListener] = []

    @property
    def timelines(self):
        """The home timelines in the cache tier (``TimelineStore``)."""
        return self.store.timelines

    def close(self) -> None:
        """Release the cache tier (reporting its last hit ratios) and the database pool."""
        self.cache.close()
        self.store.engine.dispose()

    def subscribe_posts(self, listener: PostListener) -> Callable[[], None]:
        """Call ``listener(post)`` after each new post or reply is stored (not reposts, not
        idempotent repeats). A failing listener is logged and never fails the post.

        Returns a function that unsubscribes.
        """
        self._post_listeners.append(listener)
        return lambda: self._post_listeners.remove(listener)

    def _emit(self, type_: str, actor: str, entity: Any = None, **attrs: Any) -> None:
        self.emitter.emit(SYSTEM, type_, actor=actor, entity=entity, attrs=attrs or None)

    # -- users and follows ---------------------------------------------------------------------
    def create_user(self, handle: str, display_name: str = "", bio: str = "") -> User:
        """A profile whose handle is ``handle`` (409 when taken)."""
        user = self.store.create_user(handle, display_name, bio)
        self._emit("user_created", user.handle, user.handle)
        return user

    def get_user(self, handle: str) -> User:
        return self.store.get_user(handle)

    def follow(self, me: str, handle: str) -> bool:
        """Follow ``handle``; ``False`` when ``me`` already did (nothing emitted then)."""
        changed = self.store.follow(me, handle)
        if changed:
            self._emit("follow", me, handle)
            if self.notifier:
                self.notifier.tell("follow", handle, me, handle)
        return changed

    def unfollow(self, me: str, handle: str) -> bool:
        changed = self.store.unfollow(me, handle)
        if changed:
            self._emit("unfollow", me, handle)
        return changed

    def followers(self, handle: str, cursor: str | None = None, limit: int = 50) -> Page[User]:
        users = self.store.followers(handle, decode_cursor(cursor), limit)
        return keyset_page(users, limit, lambda u: u.id)

    def following(self, handle: str, cursor: str | None = None, limit: int = 50) -> Page[User]:
        users = self.store.following(handle, decode_cursor(cursor), limit)
        return keyset_page(users, limit, lambda u: u.id)

    # -- posts ---------------------------------------------------------------------------------
    def create_post(
        self,
        me: str,
        text: str,
        *,
        reply_to: int | None = None,
        idempotency_key: str | None = None,
        media: list[tuple[str, str]] | None = None,
    ) -> tuple[Post, bool]:
        """Store and fan out a post with its ``media`` (kind, ref) attached (``media``).
        ``(post, created)``: a repeated idempotency key answers the first post with
        ``created=False`` and emits nothing."""
        if media and idempotency_key:  # a repeat must not share the files again
            prior = self.store.post_for_key(me, idempotency_key)
            if prior is not None:
                return prior, False
        attached = self.media.attach(me, media) if media else []
        try:
            post, created = self.store.create_post(
                me, text, reply_to=reply_to, idempotency_key=idempotency_key, media=attached
            )
        except BaseException:
            self.media.release(me, attached)
            raise
        if not created:
            self.media.release(me, attached)
            return post, False
        self._emit(
            "reply" if post.reply_to else "post_created",
            me,
            post.id,
            hashtags=post.hashtags,
            reply_to=post.reply_to,
            length=len(post.text),
            has_media=bool(post.media),
            media=[m.kind for m in post.media],
        )
        if self.notifier:
            parent = self.store.get_post(post.reply_to).author if post.reply_to else None
            self.notifier.post_created(post, parent, self.existing_handles(mentions(post.text)))
        for listener in list(self._post_listeners):
            try:
                listener(post)
            except Exception:
                log.exception("a post listener failed on post %s", post.id)
        return post, True

    def existing_handles(self, handles: list[str]) -> set[str]:
        """Those of ``handles`` that are users here."""
        found = set()
        for handle in handles:
            try:
                self.store.user_id(handle)
            except NotFound:
                continue
            found.add(handle)
        return found

    def get_post(self, post_id: int) -> Post:
        return self.store.get_post(post_id)

    def repost(self, me: str, post_id: int) -> Post:
        """Repost (the original, when ``post_id`` is itself a repost); twice is a 409."""
        post = self.store.repost(me, post_id)
        original = self.store.get_post(post.repost_of)
        self._emit("repost", me, post.repost_of, author=original.author, repost_id=post.id)
        if self.notifier:
            self.notifier.tell("repost", original.author, me, str(post.repost_of))
        return post

    def like(self, me: str, post_id: int) -> None:
        """Like a post; liking twice is a 409 and changes nothing."""
        self.store.like(me, post_id)
        author = self.store.get_post(post_id).author
        self._emit("like", me, post_id, author=author)
        if self.notifier:
            self.notifier.tell("like", author, me, str(post_id), post_id=post_id)

    def unlike(self, me: str, post_id: int) -> None:
        self.store.unlike(me, post_id)
        self._emit("unlike", me, post_id)

    # -- timelines -----------------------------------------------------------------------------
    def user_timeline(self, handle: str, cursor: str | None = None, limit: int = 20) -> Page[Post]:
        posts = self.store.user_timeline(handle, decode_cursor(cursor), limit)
        return keyset_page(posts, limit, lambda p: p.id)

    def home_timeline(self, me: str, cursor: str | None = None, limit: int = 20) -> Page[Post]:
        """``me``'s home timeline by hybrid fan-out, newest first."""
        posts = self.store.home_timeline(me, decode_cursor(cursor), limit)
        self._emit("timeline_read", me, n=len(posts))
        return keyset_page(posts, limit, lambda p: p.id)

    # -- direct messages -----------------------------------------------------------------------
    def send_dm(self, me: str, to: str, text: str) -> Message:
        msg = self.store.messages.send(me, to, text)
        self._emit("dm_sent", me, msg.recipient, length=len(msg.text))
        return msg

    def dm_thread(
        self, me: str, other: str, cursor: str | None = None, limit: int = 50
    ) -> Page[Message]:
        """``me``'s conversation with ``other``, newest first."""
        msgs = self.store.messages.conversation(me, other, decode_cursor(cursor), limit)
        return keyset_page(msgs, limit, lambda m: m.id)

    def get_dm(self, me: str, message_id: int) -> Message:
        """One message; anyone but its sender and recipient gets 404."""
        return self.store.messages.get(me, message_id)

    # -- search and trends ---------------------------------------------------------------------
    def search_posts(self, q: str, cursor: str | None = None, limit: int = 20) -> Page[Post]:
        """Posts matching ``q``, best first (BM25). The cursor is an offset."""
        offset = decode_cursor(cursor) or 0
        posts = self.store.posts_by_ids(self.store.search.post_ids(q, limit, offset))
        nxt = encode_cursor(offset + limit) if len(posts) == limit else None
        return Page(posts, nxt)

    def search_users(self, q: str, limit: int = 20) -> list[User]:
        return self.store.search.users(q, limit)

    def trends(self, limit: int = 10) -> tuple[datetime | None, list[dict[str, Any]]]:
        """The latest trending hashtags the ``social_trends`` asset computed, best first.

        Served from the cache tier, keyed by the version of the file the asset published, so
        a new run shows at once.
        """
        path = self.lake_dir / TRENDS_TABLE / "trends.parquet"
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None, []
        version = f"{stat.st_mtime_ns}.{stat.st_ino}.{stat.st_size}"

        def load() -> dict[str, Any]:
            computed_at, items = latest_trends(self.lake_dir, limit)
            return {"computed_at": computed_at and computed_at.isoformat(), "items": items}

        got = self.cache.get_or_load(f"social:trends:{version}:{limit}", load, ttl=TRENDS_TTL_S)
        at = got["computed_at"]
        return (datetime.fromisoformat(at) if at else None), got["items"]
