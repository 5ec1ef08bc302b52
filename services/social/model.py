"""The social domain's records and errors, and the query helpers its stores share."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy import Select, select
from sqlalchemy.engine import Connection

from services import errors
from services.social import tables as t
from services.social.handles import handle_problem
from services.social.media import Media
from services.social.text import hashtags, unsafe_text_problem

MAX_ID = 2**63 - 1  # ids and cursor positions are signed 64-bit in every store


class SocialError(errors.DomainError):
    """A rule of the social network was broken; ``status`` is the HTTP status it maps to."""


class NotFound(SocialError, errors.NotFound):
    """No such user, post or message (404); also what a stranger gets for someone's DM."""


class Conflict(SocialError, errors.Conflict):
    """Already liked, already reposted, handle taken (409)."""


class Invalid(SocialError, errors.Invalid):
    """Text too long, empty or unstorable, following or messaging oneself, a non-canonical
    handle (422)."""


class InvalidCursor(SocialError):
    """A cursor this service did not hand out (400): clients pass back ``next_cursor``."""

    status = 400


@dataclass(frozen=True)
class User:
    id: int
    handle: str
    display_name: str
    bio: str
    followers: int
    following: int


@dataclass(frozen=True)
class Post:
    id: int
    author_id: int
    author: str
    text: str
    reply_to: int | None
    repost_of: int | None
    likes: int
    reposts: int
    replies: int
    created_at: datetime
    media: tuple[Media, ...] = ()

    @cached_property
    def hashtags(self) -> list[str]:
        return hashtags(self.text)


@dataclass(frozen=True)
class Message:
    id: int
    sender: str
    recipient: str
    text: str
    created_at: datetime


def now() -> datetime:
    return datetime.now(UTC)


def check_handle(handle: str) -> str:
    """``handle`` itself when it is canonical, else ``Invalid`` naming the canonical form."""
    problem = handle_problem(handle)
    if problem is not None:
        raise Invalid(problem)
    return handle


def check_text(text: str) -> str:
    """``text`` itself when it can be stored, else ``Invalid`` (lone surrogate or NUL)."""
    problem = unsafe_text_problem(text)
    if problem is not None:
        raise Invalid(problem)
    return text


def user_row(conn: Connection, handle: str):
    """The row of the user whose handle is exactly ``handle``: ``Invalid`` for a non-canonical
    handle (never folded onto another user), ``NotFound`` for no such user."""
    row = conn.execute(select(t.users).where(t.users.c.handle == check_handle(handle))).first()
    if row is None:
        raise NotFound(f"no user @{handle}")
    return row


def to_user(r) -> User:
    return User(r.id, r.handle, r.display_name, r.bio, r.followers, r.following)


def with_media(conn: Connection, posts: list[Post]) -> list[Post]:
    """``posts`` with their attached media (one query for all of them)."""
    if not posts:
        return posts
    m = t.post_media.c
    rows = conn.execute(
        select(m.post_id, m.kind, m.ref, m.url, m.share_id)
        .where(m.post_id.in_([p.id for p in posts]))
        .order_by(m.post_id, m.position)
    ).all()
    found: dict[int, list[Media]] = defaultdict(list)
    for post_id, *media in rows:
        found[post_id].append(Media(*media))
    return [replace(p, media=tuple(found[p.id])) if p.id in found else p for p in posts]


def post_query() -> Select:
    """Columns in ``Post`` field order, so rows become posts positionally."""
    p = t.posts.c
    return select(
        p.id,
        p.author_id,
        t.users.c.handle,
        p.text,
        p.reply_to,
        p.repost_of,
        p.likes,
        p.reposts,
        p.replies,
        p.created_at,
    ).join(t.users, t.users.c.id == p.author_id)
