"""Request and response bodies of the social API, and the functions that fill them.

``PostOut`` and ``post_out`` are shared: the news feed (system 8) answers with the same posts.

Every integer in is bounded (ids are 1 to 2**63 - 1, what any store holds), every text in is
``CleanText`` and every handle in is a canonical ``Handle``, so bad input is a 422 here and
never a 500 in a store. Every timestamp out carries its UTC offset (``UtcDatetime``).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from services.social.handles import Handle
from services.social.media import MAX_MEDIA
from services.social.model import MAX_ID, Message, Post, User
from services.social.text import CleanText


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]
"""A timestamp answered in UTC with its offset (``...Z``): a valid OpenAPI ``date-time``.
Stored timestamps are UTC, so a naive one is taken as UTC."""


class UserIn(BaseModel):
    display_name: CleanText = Field(default="", max_length=100)
    bio: CleanText = Field(default="", max_length=300)


class UserOut(BaseModel):
    handle: str
    display_name: str
    bio: str
    followers: int
    following: int


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None


class MediaIn(BaseModel):
    kind: Literal["video", "file"]
    ref: str = Field(
        min_length=1,
        max_length=4096,
        description="One of your video ids, or the path of one of your files (it is shared "
        "read-only through a link you can revoke under /files/shares).",
    )


class MediaOut(BaseModel):
    kind: str
    url: str = Field(description="The video's watch page, or the file's share link.")


class PostIn(BaseModel):
    text: CleanText = Field(description="At most 280 characters.")
    reply_to: int | None = Field(default=None, ge=1, le=MAX_ID)
    media: list[MediaIn] = Field(default_factory=list, max_length=MAX_MEDIA)


class PostOut(BaseModel):
    id: int
    author: str
    text: str
    hashtags: list[str]
    reply_to: int | None
    repost_of: int | None
    likes: int
    reposts: int
    replies: int
    created_at: UtcDatetime
    media: list[MediaOut] = Field(default_factory=list)


class PostPage(BaseModel):
    items: list[PostOut]
    next_cursor: str | None


class MessageIn(BaseModel):
    to: Handle = Field(min_length=1, max_length=64)
    text: CleanText = Field(min_length=1, max_length=10_000)


class MessageOut(BaseModel):
    id: int
    sender: str
    recipient: str
    text: str
    created_at: UtcDatetime


class MessagePage(BaseModel):
    items: list[MessageOut]
    next_cursor: str | None


class Changed(BaseModel):
    changed: bool


class Trend(BaseModel):
    tag: str
    score: float
    observed: int
    expected: float
    authors: int


class Trends(BaseModel):
    computed_at: UtcDatetime | None
    items: list[Trend]


def post_out(p: Post) -> PostOut:
    return PostOut(
        id=p.id,
        author=p.author,
        text=p.text,
        hashtags=p.hashtags,
        reply_to=p.reply_to,
        repost_of=p.repost_of,
        likes=p.likes,
        reposts=p.reposts,
        replies=p.replies,
        created_at=p.created_at,
        media=[MediaOut(kind=m.kind, url=m.url) for m in p.media],
    )


def user_out(u: User) -> UserOut:
    return UserOut(**{k: v for k, v in asdict(u).items() if k != "id"})


def message_out(m: Message) -> MessageOut:
    return MessageOut(**asdict(m))
