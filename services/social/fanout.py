"""Fan-out on write and home timelines: the half of the social store that reads and writes
timelines, kept apart from users, follows and posts.

``SocialStore`` mixes this in; it relies on the store's ``engine``, ``timelines``,
``fanout_threshold``, ``fanout_batch`` and popular-posts cache.
"""

from __future__ import annotations

import time

from sqlalchemy import and_, func, or_, select, update

from services.social import tables as t
from services.social.model import Post, post_query, with_media


class FanoutTimelines:
    """Fan-out jobs, user and home timelines, popular posts (mixed into ``SocialStore``)."""

    # -- fan-out -----------------------------------------------------------------------------
    def run_fanout(self, post_id: int) -> int:
        """Push one post to its author's followers, batch by batch, resuming from the job's
        cursor. Returns how many followers were reached in this call."""
        reached = 0
        while True:
            with self.engine.connect() as conn:
                job = conn.execute(
                    select(t.fanout_jobs).where(t.fanout_jobs.c.post_id == post_id)
                ).first()
                if job is None or job.done:
                    return reached
                batch = (
                    conn.execute(
                        select(t.follows.c.follower_id)
                        .where(
                            t.follows.c.followee_id == job.author_id,
                            t.follows.c.follower_id > job.cursor,
                        )
                        .order_by(t.follows.c.follower_id)
                        .limit(self.fanout_batch)
                    )
                    .scalars()
                    .all()
                )
            if batch:
                self.timelines.add(batch, post_id)
                reached += len(batch)
            with self.engine.begin() as conn:
                conn.execute(
                    update(t.fanout_jobs)
                    .where(t.fanout_jobs.c.post_id == post_id)
                    .values(
                        cursor=batch[-1] if batch else job.cursor,
                        done=len(batch) < self.fanout_batch,
                    )
                )
            if self.after_fanout_batch is not None:
                self.after_fanout_batch(post_id)
            if len(batch) < self.fanout_batch:
                return reached

    def resume_fanouts(self) -> int:
        """Finish fan-outs a crash interrupted (called at start-up). Returns jobs resumed."""
        with self.engine.connect() as conn:
            pending = (
                conn.execute(
                    select(t.fanout_jobs.c.post_id)
                    .where(t.fanout_jobs.c.done.is_(False))
                    .order_by(t.fanout_jobs.c.post_id)
                )
                .scalars()
                .all()
            )
        for post_id in pending:
            self.run_fanout(post_id)
        return len(pending)

    # -- timelines ---------------------------------------------------------------------------
    def user_timeline(self, handle: str, before: int | None = None, limit: int = 20) -> list[Post]:
        uid = self.user_id(handle)
        q = post_query().where(t.posts.c.author_id == uid)
        if before is not None:
            q = q.where(t.posts.c.id < before)
        with self.engine.connect() as conn:
            rows = conn.execute(q.order_by(t.posts.c.id.desc()).limit(limit)).all()
            return with_media(conn, [Post(*r) for r in rows])

    def _rebuild(self, uid: int) -> None:
        followees = select(t.follows.c.followee_id).where(t.follows.c.follower_id == uid)
        with self.engine.connect() as conn:
            ids = (
                conn.execute(
                    select(t.posts.c.id)
                    .where(
                        or_(
                            and_(t.posts.c.author_id.in_(followees), t.posts.c.pushed.is_(True)),
                            t.posts.c.author_id == uid,
                        )
                    )
                    .order_by(t.posts.c.id.desc())
                    .limit(self.timelines.cap)
                )
                .scalars()
                .all()
            )
        self.timelines.replace(uid, ids)

    def home_timeline_ids(
        self, handle: str, before: int | None = None, limit: int = 20
    ) -> list[int]:
        """Hybrid read: pushed entries from the cache tier, merged with posts pulled from
        followed accounts whose posts were not fanned out."""
        uid = self.user_id(handle)
        pushed = self.timelines.page(uid, before, limit)
        if pushed is None:
            self._rebuild(uid)
            pushed = self.timelines.page(uid, before, limit) or []
        if len(pushed) < limit and self.timelines.is_full(uid):
            # Past the cached window: the database answers for the older pages.
            return self.pull_home_timeline_ids(handle, before, limit)
        pull_authors = (
            select(t.users.c.id)
            .join(t.follows, t.follows.c.followee_id == t.users.c.id)
            .where(t.follows.c.follower_id == uid, t.users.c.has_pull_posts.is_(True))
        )
        q = select(t.posts.c.id).where(
            t.posts.c.author_id.in_(pull_authors), t.posts.c.pushed.is_(False)
        )
        if before is not None:
            q = q.where(t.posts.c.id < before)
        with self.engine.connect() as conn:
            pulled = conn.execute(q.order_by(t.posts.c.id.desc()).limit(limit)).scalars().all()
        return sorted(set(pushed) | set(pulled), reverse=True)[:limit]

    def pull_home_timeline_ids(
        self, handle: str, before: int | None = None, limit: int = 20
    ) -> list[int]:
        """The naive timeline: every post by followed accounts and oneself, newest first."""
        uid = self.user_id(handle)
        followees = select(t.follows.c.followee_id).where(t.follows.c.follower_id == uid)
        q = select(t.posts.c.id).where(
            or_(t.posts.c.author_id.in_(followees), t.posts.c.author_id == uid)
        )
        if before is not None:
            q = q.where(t.posts.c.id < before)
        with self.engine.connect() as conn:
            return conn.execute(q.order_by(t.posts.c.id.desc()).limit(limit)).scalars().all()

    def home_timeline(self, handle: str, before: int | None = None, limit: int = 20) -> list[Post]:
        return self.posts_by_ids(self.home_timeline_ids(handle, before, limit))

    # -- feed candidates ---------------------------------------------------------------------
    def popular_posts(self, limit: int = 100, recent: int = 20_000) -> list[int]:
        """The most engaged-with of the latest ``recent`` posts (a feed candidate source).

        The same for every viewer, so it is cached for a few seconds."""
        if self.cache is not None:
            return self.cache.get_or_load(
                f"social:popular:{limit}:{recent}",
                lambda: self._popular(limit, recent),
                ttl=self.popular_ttl_s,
            )
        key = (limit, recent)
        cached = self._popular_cache.get(key)
        if cached and time.monotonic() - cached[0] < self.popular_ttl_s:
            return cached[1]
        ids = self._popular(limit, recent)
        self._popular_cache[key] = (time.monotonic(), ids)
        return ids

    def _popular(self, limit: int, recent: int) -> list[int]:
        since_id = self.max_post_id() - recent
        q = select(t.posts.c.id).order_by(
            (t.posts.c.likes + 2 * t.posts.c.reposts + t.posts.c.replies).desc(),
            t.posts.c.id.desc(),
        )
        q = q.where(t.posts.c.id > since_id)
        with self.engine.connect() as conn:
            return list(conn.execute(q.limit(limit)).scalars().all())

    def max_post_id(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.max(t.posts.c.id))).scalar() or 0
