"""The video store: uploads in progress, admitted videos with their metadata and tags,
comments and likes. SQLAlchemy Core, SQLite by default or PostgreSQL when scaled out."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

metadata = MetaData()

uploads = Table(
    "video_uploads",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", String(128), nullable=False),
    Column("length", BigInteger, nullable=False),
    Column("offset", BigInteger, nullable=False, default=0),
    Column("status", String(16), nullable=False),  # receiving | admitted | rejected
    Column("meta", Text, nullable=False),
    Column("reason", Text),
    Column("created", Float, nullable=False),
)

videos = Table(
    "videos",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", String(128), nullable=False, index=True),
    Column("title", String(300), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("tags", Text, nullable=False, default=""),
    Column("source", Text, nullable=False),
    Column("probe", Text, nullable=False),
    Column("created", Float, nullable=False, index=True),
)

video_tags = Table(
    "video_tags",
    metadata,
    Column("video_id", String(32), nullable=False, index=True),
    Column("tag", String(64), nullable=False, index=True),
    UniqueConstraint("video_id", "tag"),
)

comments = Table(
    "video_comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("video_id", String(32), nullable=False, index=True),
    Column("user_id", String(128), nullable=False),
    Column("text", Text, nullable=False),
    Column("created", Float, nullable=False),
)

likes = Table(
    "video_likes",
    metadata,
    Column("video_id", String(32), nullable=False),
    Column("user_id", String(128), nullable=False),
    UniqueConstraint("video_id", "user_id"),
)


@dataclass
class Upload:
    id: str
    user_id: str
    length: int
    offset: int
    status: str
    meta: dict[str, str] = field(default_factory=dict)
    reason: str | None = None


@dataclass
class Video:
    id: str
    user_id: str
    title: str
    description: str
    tags: list[str]
    source: str
    probe: dict[str, Any]
    created: float


def _upload(row) -> Upload:
    return Upload(
        row.id, row.user_id, row.length, row.offset, row.status, json.loads(row.meta), row.reason
    )


def _video(row) -> Video:
    tags = [t for t in row.tags.split(",") if t]
    return Video(
        row.id,
        row.user_id,
        row.title,
        row.description,
        tags,
        row.source,
        json.loads(row.probe),
        row.created,
    )


class VideoStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    # uploads
    def create_upload(
        self, user_id: str, length: int, meta: dict[str, str], created: float
    ) -> Upload:
        up = Upload(uuid.uuid4().hex[:16], user_id, length, 0, "receiving", meta)
        with self.engine.begin() as conn:
            conn.execute(
                insert(uploads).values(
                    id=up.id,
                    user_id=user_id,
                    length=length,
                    offset=0,
                    status=up.status,
                    meta=json.dumps(meta),
                    created=created,
                )
            )
        return up

    def get_upload(self, upload_id: str) -> Upload | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(uploads).where(uploads.c.id == upload_id)).first()
        return _upload(row) if row else None

    def advance(self, upload_id: str, expected: int, new_offset: int) -> bool:
        """Move the offset only if nobody else did (compare-and-set)."""
        with self.engine.begin() as conn:
            res = conn.execute(
                update(uploads)
                .where(
                    uploads.c.id == upload_id,
                    uploads.c.offset == expected,
                    uploads.c.status == "receiving",
                )
                .values(offset=new_offset)
            )
        return res.rowcount == 1

    def finish_upload(self, upload_id: str, status: str, reason: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(uploads)
                .where(uploads.c.id == upload_id)
                .values(status=status, reason=reason)
            )

    def delete_upload(self, upload_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(uploads).where(uploads.c.id == upload_id))

    # videos
    def add_video(self, video: Video) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(videos).values(
                    id=video.id,
                    user_id=video.user_id,
                    title=video.title,
                    description=video.description,
                    tags=",".join(video.tags),
                    source=video.source,
                    probe=json.dumps(video.probe),
                    created=video.created,
                )
            )
            for tag in video.tags:
                conn.execute(insert(video_tags).values(video_id=video.id, tag=tag))

    def get_video(self, video_id: str) -> Video | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(videos).where(videos.c.id == video_id)).first()
        return _video(row) if row else None

    def list_videos(self, limit: int = 1000) -> list[Video]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(videos).order_by(videos.c.created).limit(limit))
            return [_video(r) for r in rows]

    def created_after(self, after: float, limit: int = 1000) -> list[tuple[str, float]]:
        """(id, created) of videos admitted after ``after``, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(videos.c.id, videos.c.created)
                .where(videos.c.created > after)
                .order_by(videos.c.created)
                .limit(limit)
            )
            return [(r.id, r.created) for r in rows]

    def search(self, query: str, limit: int = 20) -> list[Video]:
        """Videos whose title contains every term or that carry a term as a tag; titles that
        match more terms, then newer videos, first."""
        terms = [t for t in query.lower().split() if t][:8]
        if not terms:
            return []
        title = func.lower(videos.c.title)
        tagged = select(video_tags.c.video_id).where(video_tags.c.tag.in_(terms))
        conds = [title.contains(t, autoescape=True) for t in terms]
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(videos)
                .where(or_(*conds, videos.c.id.in_(tagged)))
                .order_by(videos.c.created.desc())
                .limit(500)
            ).all()
        found = [_video(r) for r in rows]

        def score(v: Video) -> tuple[int, float]:
            hits = sum(t in v.title.lower() for t in terms) + sum(t in v.tags for t in terms)
            return (-hits, -v.created)

        return sorted(found, key=score)[:limit]

    # engagement
    def add_comment(
        self,
        video_id: str,
        user_id: str,
        text: str,
        created: float,
        then: Callable[[int], None] | None = None,
    ) -> int:
        """Store a comment and return its id. ``then(id)`` runs inside the transaction: if it
        raises, the comment is not stored (so a client that retries does not duplicate it)."""
        with self.engine.begin() as conn:
            res = conn.execute(
                insert(comments).values(
                    video_id=video_id, user_id=user_id, text=text, created=created
                )
            )
            cid = int(res.inserted_primary_key[0])
            if then is not None:
                then(cid)
            return cid

    def list_comments(
        self, video_id: str, after: int | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """Up to ``limit`` comments of a video with an id above ``after``, oldest first."""
        query = select(comments).where(comments.c.video_id == video_id)
        if after is not None:
            query = query.where(comments.c.id > after)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(comments.c.id).limit(limit))
            return [dict(r._mapping) for r in rows]

    def like(self, video_id: str, user_id: str) -> bool:
        """True when this is a new like (likes are idempotent per user)."""
        with self.engine.begin() as conn:
            exists = conn.execute(
                select(likes).where(likes.c.video_id == video_id, likes.c.user_id == user_id)
            ).first()
            if exists:
                return False
            conn.execute(insert(likes).values(video_id=video_id, user_id=user_id))
        return True

    def like_count(self, video_id: str) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(likes).where(likes.c.video_id == video_id)
                ).scalar_one()
            )
