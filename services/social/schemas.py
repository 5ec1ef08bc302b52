"""Request and response bodies of the social API, and the functions that fill them.

``PostOut`` and ``post_out`` are shared: the news feed (system 8) answers with the same posts.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from pydantic import BaseModel, Field

from services.social.model import Message, Post, User


class UserIn(BaseModel):
    display_name: str = Field(default="", max_length=100)
    bio: str = Field(default="", max_length=300)


class UserOut(BaseModel):
    handle: str
    display_name: str
    bio: str
    followers: int
    following: int


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None


class PostIn(BaseModel):
    text: str = Field(description="At most 280 characters.")
    reply_to: int | None = None


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
    created_at: datetime


class PostPage(BaseModel):
    items: list[PostOut]
    next_cursor: str | None


class MessageIn(BaseModel):
    to: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=10_000)


class MessageOut(BaseModel):
    id: int
    sender: str
    recipient: str
    text: str
    created_at: datetime


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
    computed_at: datetime | None
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
    )


def user_out(u: User) -> UserOut:
    return UserOut(**{k: v for k, v in asdict(u).items() if k != "id"})


def message_out(m: Message) -> MessageOut:
    return MessageOut(**asdict(m))
