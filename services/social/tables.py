"""The social store's tables (SQLAlchemy Core; SQLite by default, PostgreSQL when scaled out)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

metadata = MetaData()

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT identity.
IdType = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator):
    """A timestamp written in UTC and always read back aware, in UTC.

    SQLite keeps no offset, so without this its values come back naive (and would be answered
    without an offset, or read as local time by ``datetime.timestamp``); PostgreSQL's come back
    in the session's zone. Same column type in the DDL as ``DateTime(timezone=True)``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


users = Table(
    "social_users",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("handle", String(64), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    Column("bio", String(300), nullable=False, default=""),
    Column("followers", Integer, nullable=False, default=0),
    Column("following", Integer, nullable=False, default=0),
    # Set once the user posted while above the fan-out threshold: readers must pull from them.
    Column("has_pull_posts", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

follows = Table(
    "social_follows",
    metadata,
    Column("follower_id", IdType, ForeignKey("social_users.id"), primary_key=True),
    Column("followee_id", IdType, ForeignKey("social_users.id"), primary_key=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_social_follows_followee", "followee_id", "follower_id"),
)

posts = Table(
    "social_posts",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("author_id", IdType, ForeignKey("social_users.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("reply_to", IdType, ForeignKey("social_posts.id"), nullable=True),
    Column("repost_of", IdType, ForeignKey("social_posts.id"), nullable=True),
    Column("pushed", Boolean, nullable=False),  # fanned out on write (else pulled at read)
    Column("likes", Integer, nullable=False, default=0),
    Column("reposts", Integer, nullable=False, default=0),
    Column("replies", Integer, nullable=False, default=0),
    Column("idempotency_key", String(128), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("author_id", "idempotency_key", name="uq_social_posts_idem"),
    Index("ix_social_posts_author", "author_id", "id"),
)

post_tags = Table(
    "social_post_tags",
    metadata,
    Column("post_id", IdType, ForeignKey("social_posts.id"), primary_key=True),
    Column("tag", String(64), primary_key=True),
    Index("ix_social_post_tags_tag", "tag", "post_id"),
)

post_media = Table(
    "social_post_media",
    metadata,
    Column("post_id", IdType, ForeignKey("social_posts.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("kind", String(8), nullable=False),  # video | file
    Column("ref", Text, nullable=False),  # the video id, or the file's path (never shown)
    Column("url", Text, nullable=False),
    Column("share_id", String(32), nullable=True),  # a file's read-only share link
)

post_mentions = Table(
    "social_post_mentions",
    metadata,
    Column("post_id", IdType, ForeignKey("social_posts.id"), primary_key=True),
    Column("user_id", IdType, ForeignKey("social_users.id"), primary_key=True),
)

likes = Table(
    "social_likes",
    metadata,
    Column("user_id", IdType, ForeignKey("social_users.id"), primary_key=True),
    Column("post_id", IdType, ForeignKey("social_posts.id"), primary_key=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

messages = Table(
    "social_messages",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("sender_id", IdType, ForeignKey("social_users.id"), nullable=False),
    Column("recipient_id", IdType, ForeignKey("social_users.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_social_messages_pair", "sender_id", "recipient_id", "id"),
)

# The fan-out outbox: written in the post's transaction, advanced batch by batch, so a fan-out
# interrupted by a crash resumes where it stopped.
fanout_jobs = Table(
    "social_fanout_jobs",
    metadata,
    Column("post_id", IdType, ForeignKey("social_posts.id"), primary_key=True),
    Column("author_id", IdType, nullable=False),
    Column("cursor", BigInteger, nullable=False, default=0),  # last follower id done
    Column("done", Boolean, nullable=False, default=False),
)
