"""The social network's HTTP API (system 2): ``/social/*`` and ``GET /trends``.

Thin: each route parses, calls ``SocialService`` and maps the answer. The service records
every interaction as an event; its domain errors become problem JSON in the app.

The caller acts as ``MyHandle`` (its canonical user id); handles in paths are canonical
``Handle``s, ids are bounded to 1..2**63 - 1 and text is ``CleanText``: a 422 otherwise.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response

from services.social.deps import MyHandle, SocialDep
from services.social.handles import Handle
from services.social.model import MAX_ID
from services.social.pagination import Page
from services.social.schemas import (
    Changed,
    MessageIn,
    MessageOut,
    MessagePage,
    PostIn,
    PostOut,
    PostPage,
    Trends,
    UserIn,
    UserOut,
    UserPage,
    message_out,
    post_out,
    user_out,
)
from services.social.store import Post, User
from services.social.text import CleanText

Limit = Annotated[int, Query(ge=1, le=200)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]  # a post or message id (422 outside, never a 500)

social = APIRouter(prefix="/social", tags=["social"])


def _posts(page: Page[Post]) -> PostPage:
    return PostPage(items=[post_out(p) for p in page.items], next_cursor=page.next_cursor)


def _users(page: Page[User]) -> UserPage:
    return UserPage(items=[user_out(u) for u in page.items], next_cursor=page.next_cursor)


# -- users and follows -------------------------------------------------------------------------
@social.post("/users", response_model=UserOut, status_code=201, operation_id="social_create_user")
def create_user(body: UserIn, me: MyHandle, svc: SocialDep) -> UserOut:
    """Create the caller's profile; the handle is the caller's user id."""
    return user_out(svc.create_user(me, body.display_name, body.bio))


@social.get("/users/{handle}", response_model=UserOut, operation_id="social_get_user")
def get_user(handle: Handle, svc: SocialDep) -> UserOut:
    return user_out(svc.get_user(handle))


@social.put("/users/{handle}/follow", response_model=Changed, operation_id="social_follow")
def follow(handle: Handle, me: MyHandle, svc: SocialDep) -> Changed:
    return Changed(changed=svc.follow(me, handle))


@social.delete("/users/{handle}/follow", response_model=Changed, operation_id="social_unfollow")
def unfollow(handle: Handle, me: MyHandle, svc: SocialDep) -> Changed:
    return Changed(changed=svc.unfollow(me, handle))


@social.get("/users/{handle}/followers", response_model=UserPage, operation_id="social_followers")
def followers(
    handle: Handle, svc: SocialDep, cursor: str | None = None, limit: Limit = 50
) -> UserPage:
    return _users(svc.followers(handle, cursor, limit))


@social.get("/users/{handle}/following", response_model=UserPage, operation_id="social_following")
def following(
    handle: Handle, svc: SocialDep, cursor: str | None = None, limit: Limit = 50
) -> UserPage:
    return _users(svc.following(handle, cursor, limit))


@social.get("/users/{handle}/posts", response_model=PostPage, operation_id="social_user_timeline")
def user_timeline(
    handle: Handle, svc: SocialDep, cursor: str | None = None, limit: Limit = 20
) -> PostPage:
    return _posts(svc.user_timeline(handle, cursor, limit))


# -- posts -------------------------------------------------------------------------------------
@social.post("/posts", response_model=PostOut, status_code=201, operation_id="social_create_post")
def create_post(
    body: PostIn,
    me: MyHandle,
    svc: SocialDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> PostOut:
    """Post (at most 280 characters), attaching up to four of your videos and files. A
    repeated ``Idempotency-Key`` returns the first post."""
    post, created = svc.create_post(
        me,
        body.text,
        reply_to=body.reply_to,
        idempotency_key=idempotency_key,
        media=[(m.kind, m.ref) for m in body.media],
    )
    if not created:
        response.status_code = 200
    return post_out(post)


@social.get("/posts/{post_id}", response_model=PostOut, operation_id="social_get_post")
def get_post(post_id: Id, svc: SocialDep) -> PostOut:
    return post_out(svc.get_post(post_id))


@social.post(
    "/posts/{post_id}/repost", response_model=PostOut, status_code=201, operation_id="social_repost"
)
def repost(post_id: Id, me: MyHandle, svc: SocialDep) -> PostOut:
    return post_out(svc.repost(me, post_id))


@social.put("/posts/{post_id}/like", response_model=Changed, operation_id="social_like")
def like(post_id: Id, me: MyHandle, svc: SocialDep) -> Changed:
    """Like a post; liking twice is a 409 and changes nothing."""
    svc.like(me, post_id)
    return Changed(changed=True)


@social.delete("/posts/{post_id}/like", response_model=Changed, operation_id="social_unlike")
def unlike(post_id: Id, me: MyHandle, svc: SocialDep) -> Changed:
    svc.unlike(me, post_id)
    return Changed(changed=True)


@social.get("/timeline", response_model=PostPage, operation_id="social_home_timeline")
def home_timeline(
    me: MyHandle, svc: SocialDep, cursor: str | None = None, limit: Limit = 20
) -> PostPage:
    """The caller's home timeline (hybrid fan-out), newest first."""
    return _posts(svc.home_timeline(me, cursor, limit))


# -- direct messages ---------------------------------------------------------------------------
@social.post("/messages", response_model=MessageOut, status_code=201, operation_id="social_send_dm")
def send_dm(body: MessageIn, me: MyHandle, svc: SocialDep) -> MessageOut:
    return message_out(svc.send_dm(me, body.to, body.text))


@social.get("/messages/with/{other}", response_model=MessagePage, operation_id="social_dm_thread")
def dm_thread(
    other: Handle, me: MyHandle, svc: SocialDep, cursor: str | None = None, limit: Limit = 50
) -> MessagePage:
    """The caller's conversation with ``other``, newest first."""
    page = svc.dm_thread(me, other, cursor, limit)
    return MessagePage(items=[message_out(m) for m in page.items], next_cursor=page.next_cursor)


@social.get("/messages/{message_id}", response_model=MessageOut, operation_id="social_get_dm")
def get_dm(message_id: Id, me: MyHandle, svc: SocialDep) -> MessageOut:
    """One message; anyone but its sender and recipient gets 404."""
    return message_out(svc.get_dm(me, message_id))


# -- search ------------------------------------------------------------------------------------
@social.get("/search/posts", response_model=PostPage, operation_id="social_search_posts")
def search_posts(
    svc: SocialDep,
    q: Annotated[CleanText, Query(min_length=1, max_length=200)],
    cursor: str | None = None,
    limit: Limit = 20,
) -> PostPage:
    """Posts matching ``q``, best first (BM25). The cursor is an offset."""
    return _posts(svc.search_posts(q, cursor, limit))


@social.get("/search/users", response_model=UserPage, operation_id="social_search_users")
def search_users(
    svc: SocialDep, q: Annotated[CleanText, Query(min_length=1, max_length=100)], limit: Limit = 20
) -> UserPage:
    return UserPage(items=[user_out(u) for u in svc.search_users(q, limit)], next_cursor=None)


# -- trends (top level, as clients of a social network expect) ---------------------------------
router = APIRouter()
router.include_router(social)


@router.get("/trends", response_model=Trends, tags=["social"], operation_id="trends")
def trends(svc: SocialDep, limit: Annotated[int, Query(ge=1, le=200)] = 10) -> Trends:
    """Tags used more than their time-decayed expected rate by several authors, best first,
    as the latest ``social_trends`` asset run computed them."""
    computed_at, items = svc.trends(limit)
    return Trends(computed_at=computed_at, items=items)
