"""The social domain: users, follows, posts, likes, reposts and replies, and home timelines by
hybrid fan-out. Plain Python over SQLAlchemy Core; ``SocialService`` wraps it with events.

Fan-out on write goes through an outbox (``social_fanout_jobs``) written in the post's own
transaction and advanced batch by batch, so a fan-out cut short by a crash resumes where it
stopped; timeline adds are idempotent, so nobody sees a post twice. Authors at or above the
follower threshold are not fanned out: readers pull their posts and merge them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from services.social import tables as t
from services.social.fanout import FanoutTimelines
from services.social.media import Media
from services.social.messages import DirectMessages
from services.social.model import (
    Conflict,
    Invalid,
    Message,
    NotFound,
    Post,
    SocialError,
    User,
    check_handle,
    check_text,
    now,
    post_query,
    to_user,
    user_row,
    with_media,
)
from services.social.search import SocialSearch
from services.social.text import hashtags, mentions, validate_post_text
from services.social.timelines import TimelineStore

__all__ = [
    "Conflict",
    "Invalid",
    "Message",
    "NotFound",
    "Post",
    "SocialError",
    "SocialStore",
    "User",
]

# Built once with an expanding parameter: a feed asks for ~1,000 ids per request, and binding
# them as one list skips per-element coercion.
_POSTS_BY_IDS = post_query().where(t.posts.c.id.in_(bindparam("ids", expanding=True)))


class SocialStore(FanoutTimelines):
    def __init__(
        self,
        engine: Engine,
        timelines: TimelineStore,
        *,
        fanout_threshold: int = 1000,
        fanout_batch: int = 1000,
        cache: Any = None,
        popular_ttl_s: float = 5.0,
    ) -> None:
        """``cache`` (a ``CacheClient``) holds the popular-posts list for every process that
        shares the tier; without one each store keeps its own copy."""
        self.engine = engine
        self.cache = cache
        self.timelines = timelines
        self.fanout_threshold = fanout_threshold
        self.fanout_batch = fanout_batch
        # Called after each fan-out batch with the post id; tests use it to simulate a crash.
        self.after_fanout_batch: Callable[[int], None] | None = None
        self.popular_ttl_s = popular_ttl_s
        self._popular_cache: dict[tuple[int, int], tuple[float, list[int]]] = {}
        self.messages = DirectMessages(engine)
        self.search = SocialSearch(engine)
        t.metadata.create_all(engine)
        self.search.create_index()

    # -- users -------------------------------------------------------------------------------
    def create_user(self, handle: str, display_name: str = "", bio: str = "") -> User:
        """A profile for ``handle``, which must be canonical (``Invalid`` names the canonical
        form; nothing is folded, so ``ALICE`` is never created beside ``alice``)."""
        check_handle(handle)
        check_text(display_name)
        check_text(bio)
        try:
            with self.engine.begin() as conn:
                uid = conn.execute(
                    insert(t.users).values(
                        handle=handle,
                        display_name=display_name or handle,
                        bio=bio,
                        followers=0,
                        following=0,
                        has_pull_posts=False,
                        created_at=now(),
                    )
                ).inserted_primary_key[0]
                self.search.index_user(conn, uid, handle, display_name or handle, bio)
        except IntegrityError as exc:
            raise Conflict(f"handle @{handle} is taken") from exc
        return self.get_user(handle)

    def get_user(self, handle: str) -> User:
        with self.engine.connect() as conn:
            return to_user(user_row(conn, handle))

    def user_id(self, handle: str) -> int:
        with self.engine.connect() as conn:
            return user_row(conn, handle).id

    # -- follows -----------------------------------------------------------------------------
    def follow(self, follower: str, followee: str) -> bool:
        """Follow; returns False when already following (idempotent)."""
        if follower == followee:
            raise Invalid("you cannot follow yourself")
        with self.engine.begin() as conn:
            a = user_row(conn, follower).id
            b = user_row(conn, followee).id
            exists = conn.execute(
                select(t.follows.c.follower_id).where(
                    t.follows.c.follower_id == a, t.follows.c.followee_id == b
                )
            ).first()
            if exists:
                return False
            conn.execute(insert(t.follows).values(follower_id=a, followee_id=b, created_at=now()))
            conn.execute(
                update(t.users).where(t.users.c.id == a).values(following=t.users.c.following + 1)
            )
            conn.execute(
                update(t.users).where(t.users.c.id == b).values(followers=t.users.c.followers + 1)
            )
            backfill = (
                conn.execute(
                    select(t.posts.c.id)
                    .where(t.posts.c.author_id == b, t.posts.c.pushed.is_(True))
                    .order_by(t.posts.c.id.desc())
                    .limit(self.timelines.cap)
                )
                .scalars()
                .all()
            )
        self.timelines.add_posts(a, backfill)
        return True

    def unfollow(self, follower: str, followee: str) -> bool:
        with self.engine.begin() as conn:
            a = user_row(conn, follower).id
            b = user_row(conn, followee).id
            gone = conn.execute(
                delete(t.follows).where(t.follows.c.follower_id == a, t.follows.c.followee_id == b)
            ).rowcount
            if not gone:
                return False
            conn.execute(
                update(t.users).where(t.users.c.id == a).values(following=t.users.c.following - 1)
            )
            conn.execute(
                update(t.users).where(t.users.c.id == b).values(followers=t.users.c.followers - 1)
            )
        line = self.timelines.page(a, None, self.timelines.cap) or []
        if line:
            with self.engine.connect() as conn:
                theirs = (
                    conn.execute(
                        select(t.posts.c.id).where(t.posts.c.id.in_(line), t.posts.c.author_id == b)
                    )
                    .scalars()
                    .all()
                )
            self.timelines.remove_posts(a, theirs)
        return True

    def followers_among(self, author_id: int, handles: list[str]) -> list[str]:
        """Which of ``handles`` follow the author (for live-update delivery)."""
        if not handles:
            return []
        q = (
            select(t.users.c.handle)
            .join(t.follows, t.follows.c.follower_id == t.users.c.id)
            .where(t.follows.c.followee_id == author_id, t.users.c.handle.in_(handles))
        )
        with self.engine.connect() as conn:
            return list(conn.execute(q).scalars().all())

    def followee_ids(self, handle: str) -> set[int]:
        """Ids of every account ``handle`` follows (the feed's in-network test)."""
        uid = self.user_id(handle)
        q = select(t.follows.c.followee_id).where(t.follows.c.follower_id == uid)
        with self.engine.connect() as conn:
            return set(conn.execute(q).scalars().all())

    def _page_users(self, column, match_column, uid: int, after: int | None, limit: int):
        q = (
            select(t.users)
            .join(t.follows, column == t.users.c.id)
            .where(match_column == uid)
            .order_by(t.users.c.id)
            .limit(limit)
        )
        if after is not None:
            q = q.where(t.users.c.id > after)
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return [to_user(r) for r in rows]

    def followers(self, handle: str, after: int | None = None, limit: int = 50) -> list[User]:
        uid = self.user_id(handle)
        return self._page_users(t.follows.c.follower_id, t.follows.c.followee_id, uid, after, limit)

    def following(self, handle: str, after: int | None = None, limit: int = 50) -> list[User]:
        uid = self.user_id(handle)
        return self._page_users(t.follows.c.followee_id, t.follows.c.follower_id, uid, after, limit)

    # -- posts -------------------------------------------------------------------------------
    def get_post(self, post_id: int) -> Post:
        posts = self.posts_by_ids([post_id])
        if not posts:
            raise NotFound(f"no post {post_id}")
        return posts[0]

    def posts_by_ids(self, ids: list[int]) -> list[Post]:
        """Posts in the order of ``ids`` (missing ids are skipped)."""
        if not ids:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(_POSTS_BY_IDS, {"ids": ids}).tuples().all()
            by_id = {p.id: p for p in with_media(conn, [Post(*r) for r in rows])}
        return [by_id[i] for i in ids if i in by_id]

    def post_for_key(self, author: str, idempotency_key: str) -> Post | None:
        """The post ``author`` already made with ``idempotency_key``, if any."""
        with self.engine.connect() as conn:
            prior = self._post_for_key(conn, user_row(conn, author).id, idempotency_key)
        return None if prior is None else self.get_post(prior)

    @staticmethod
    def _post_for_key(conn, author_id: int, idempotency_key: str) -> int | None:
        return conn.execute(
            select(t.posts.c.id).where(
                t.posts.c.author_id == author_id, t.posts.c.idempotency_key == idempotency_key
            )
        ).scalar()

    def create_post(
        self,
        author: str,
        body: str,
        *,
        reply_to: int | None = None,
        repost_of: int | None = None,
        idempotency_key: str | None = None,
        media: Sequence[Media] = (),
    ) -> tuple[Post, bool]:
        """Store a post (with its ``media``, in the same transaction) and fan it out. Returns
        ``(post, created)``; a repeated idempotency key returns the first post with
        ``created=False``."""
        try:
            body = validate_post_text(body) if repost_of is None else body.strip()
        except ValueError as exc:
            raise Invalid(str(exc)) from exc
        with self.engine.begin() as conn:
            author_row = user_row(conn, author)
            if idempotency_key:
                prior = self._post_for_key(conn, author_row.id, idempotency_key)
                if prior is not None:
                    return self.get_post(prior), False
            for ref in (reply_to, repost_of):
                if (
                    ref is not None
                    and conn.execute(select(t.posts.c.id).where(t.posts.c.id == ref)).first()
                    is None
                ):
                    raise NotFound(f"no post {ref}")
            pushed = author_row.followers < self.fanout_threshold
            try:
                post_id = conn.execute(
                    insert(t.posts).values(
                        author_id=author_row.id,
                        text=body,
                        reply_to=reply_to,
                        repost_of=repost_of,
                        pushed=pushed,
                        likes=0,
                        reposts=0,
                        replies=0,
                        idempotency_key=idempotency_key,
                        created_at=now(),
                    )
                ).inserted_primary_key[0]
            except IntegrityError as exc:
                raise Conflict("a post with this idempotency key is being created") from exc
            if media:
                conn.execute(
                    insert(t.post_media),
                    [
                        {"post_id": post_id, "position": i, **vars(item)}
                        for i, item in enumerate(media)
                    ],
                )
            tags = hashtags(body)
            if tags:
                conn.execute(insert(t.post_tags), [{"post_id": post_id, "tag": g} for g in tags])
            handles = mentions(body)
            if handles:
                ids = (
                    conn.execute(select(t.users.c.id).where(t.users.c.handle.in_(handles)))
                    .scalars()
                    .all()
                )
                if ids:
                    conn.execute(
                        insert(t.post_mentions), [{"post_id": post_id, "user_id": i} for i in ids]
                    )
            if reply_to is not None:
                conn.execute(
                    update(t.posts)
                    .where(t.posts.c.id == reply_to)
                    .values(replies=t.posts.c.replies + 1)
                )
            if repost_of is not None:
                conn.execute(
                    update(t.posts)
                    .where(t.posts.c.id == repost_of)
                    .values(reposts=t.posts.c.reposts + 1)
                )
            self.search.index_post(conn, post_id, body)
            if pushed:
                conn.execute(
                    insert(t.fanout_jobs).values(
                        post_id=post_id, author_id=author_row.id, cursor=0, done=False
                    )
                )
            elif not author_row.has_pull_posts:
                conn.execute(
                    update(t.users).where(t.users.c.id == author_row.id).values(has_pull_posts=True)
                )
        # The author always sees their own post at once, pushed or not.
        self.timelines.add([author_row.id], post_id)
        if pushed:
            self.run_fanout(post_id)
        return self.get_post(post_id), True

    def repost(self, user: str, post_id: int) -> Post:
        original = self.get_post(post_id)
        if original.repost_of is not None:
            post_id = original.repost_of  # repost the original, not the repost
        with self.engine.connect() as conn:
            uid = user_row(conn, user).id
            dup = conn.execute(
                select(t.posts.c.id).where(
                    t.posts.c.author_id == uid, t.posts.c.repost_of == post_id
                )
            ).first()
        if dup:
            raise Conflict(f"you already reposted post {post_id}")
        post, _ = self.create_post(user, "", repost_of=post_id)
        return post

    def like(self, user: str, post_id: int) -> None:
        try:
            with self.engine.begin() as conn:
                uid = user_row(conn, user).id
                if (
                    conn.execute(select(t.posts.c.id).where(t.posts.c.id == post_id)).first()
                    is None
                ):
                    raise NotFound(f"no post {post_id}")
                conn.execute(insert(t.likes).values(user_id=uid, post_id=post_id, created_at=now()))
                conn.execute(
                    update(t.posts).where(t.posts.c.id == post_id).values(likes=t.posts.c.likes + 1)
                )
        except IntegrityError as exc:
            raise Conflict(f"you already like post {post_id}") from exc

    def unlike(self, user: str, post_id: int) -> None:
        with self.engine.begin() as conn:
            uid = user_row(conn, user).id
            gone = conn.execute(
                delete(t.likes).where(t.likes.c.user_id == uid, t.likes.c.post_id == post_id)
            ).rowcount
            if not gone:
                raise NotFound(f"you do not like post {post_id}")
            conn.execute(
                update(t.posts).where(t.posts.c.id == post_id).values(likes=t.posts.c.likes - 1)
            )
