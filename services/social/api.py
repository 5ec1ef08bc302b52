"""The social network's HTTP API (system 2). Thin: it translates to ``SocialStore`` calls and
records each interaction as an event."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import asdict
from typing import Annotated, Any

import redis
from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response
from fastapi.routing import APIRoute

from services.db import make_engine
from services.deps import CurrentUser, EmitterDep
from services.feed.live import announce_post
from services.social.pagination import decode_cursor, encode_cursor
from services.social.schemas import (
    Changed,
    MessageIn,
    MessageOut,
    MessagePage,
    PostIn,
    PostOut,
    PostPage,
    UserIn,
    UserOut,
    UserPage,
)
from services.social.store import Post, SocialError, SocialStore, User
from services.social.timelines import InProcessTimelines, RedisTimelines


class SocialRoute(APIRoute):
    """Translates the domain's errors into HTTP problems, so handlers hold no try/except."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def translate(request: Request) -> Response:
            try:
                return await handler(request)
            except SocialError as exc:
                raise HTTPException(exc.status, exc.message) from exc

        return translate


router = APIRouter(prefix="/social", tags=["social"], route_class=SocialRoute)


async def startup(app) -> None:
    settings = app.state.settings
    if settings.redis_url:
        timelines = RedisTimelines(redis.Redis.from_url(settings.redis_url))
    else:
        timelines = InProcessTimelines()
    store = SocialStore(
        make_engine(settings, "social"),
        timelines,
        fanout_threshold=settings.social_fanout_threshold,
    )
    store.resume_fanouts()
    app.state.social = store


def _store(request: Request) -> SocialStore:
    return request.app.state.social


StoreDep = Annotated[SocialStore, Depends(_store)]
Limit = Annotated[int, Query(ge=1, le=200)]


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


def _post_page(posts: list[Post], limit: int) -> PostPage:
    nxt = encode_cursor(posts[-1].id) if len(posts) == limit else None
    return PostPage(items=[post_out(p) for p in posts], next_cursor=nxt)


# -- users and follows -------------------------------------------------------------------------
@router.post("/users", response_model=UserOut, status_code=201, operation_id="social_create_user")
def create_user(body: UserIn, me: CurrentUser, store: StoreDep, emitter: EmitterDep) -> UserOut:
    """Create the caller's profile; the handle is the caller's user id."""
    user = store.create_user(me.user_id, body.display_name, body.bio)
    emitter.emit("social", "user_created", actor=user.handle, entity=user.handle)
    return user_out(user)


@router.get("/users/{handle}", response_model=UserOut, operation_id="social_get_user")
def get_user(handle: str, store: StoreDep) -> UserOut:
    return user_out(store.get_user(handle))


@router.put("/users/{handle}/follow", response_model=Changed, operation_id="social_follow")
def follow(handle: str, me: CurrentUser, store: StoreDep, emitter: EmitterDep) -> Changed:
    changed = store.follow(me.user_id, handle)
    if changed:
        emitter.emit("social", "follow", actor=me.user_id, entity=handle.lower())
    return Changed(changed=changed)


@router.delete("/users/{handle}/follow", response_model=Changed, operation_id="social_unfollow")
def unfollow(handle: str, me: CurrentUser, store: StoreDep, emitter: EmitterDep) -> Changed:
    changed = store.unfollow(me.user_id, handle)
    if changed:
        emitter.emit("social", "unfollow", actor=me.user_id, entity=handle.lower())
    return Changed(changed=changed)


def _user_page(users: list[User], limit: int) -> UserPage:
    nxt = encode_cursor(users[-1].id) if len(users) == limit else None
    return UserPage(items=[user_out(u) for u in users], next_cursor=nxt)


@router.get("/users/{handle}/followers", response_model=UserPage, operation_id="social_followers")
def followers(handle: str, store: StoreDep, cursor: str | None = None, limit: Limit = 50):
    return _user_page(store.followers(handle, decode_cursor(cursor), limit), limit)


@router.get("/users/{handle}/following", response_model=UserPage, operation_id="social_following")
def following(handle: str, store: StoreDep, cursor: str | None = None, limit: Limit = 50):
    return _user_page(store.following(handle, decode_cursor(cursor), limit), limit)


@router.get("/users/{handle}/posts", response_model=PostPage, operation_id="social_user_timeline")
def user_timeline(handle: str, store: StoreDep, cursor: str | None = None, limit: Limit = 20):
    return _post_page(store.user_timeline(handle, decode_cursor(cursor), limit), limit)


# -- posts -------------------------------------------------------------------------------------
@router.post("/posts", response_model=PostOut, status_code=201, operation_id="social_create_post")
def create_post(
    body: PostIn,
    request: Request,
    me: CurrentUser,
    store: StoreDep,
    emitter: EmitterDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> PostOut:
    """Post (at most 280 characters). A repeated ``Idempotency-Key`` returns the first post."""
    post, created = store.create_post(
        me.user_id, body.text, reply_to=body.reply_to, idempotency_key=idempotency_key
    )
    if not created:
        response.status_code = 200
        return post_out(post)
    emitter.emit(
        "social",
        "reply" if post.reply_to else "post_created",
        actor=me.user_id,
        entity=post.id,
        attrs={"hashtags": post.hashtags, "reply_to": post.reply_to, "length": len(post.text)},
    )
    announce_post(getattr(request.app.state, "feed_broker", None), store, post)
    return post_out(post)


@router.get("/posts/{post_id}", response_model=PostOut, operation_id="social_get_post")
def get_post(post_id: int, store: StoreDep) -> PostOut:
    return post_out(store.get_post(post_id))


@router.post(
    "/posts/{post_id}/repost", response_model=PostOut, status_code=201, operation_id="social_repost"
)
def repost(post_id: int, me: CurrentUser, store: StoreDep, emitter: EmitterDep) -> PostOut:
    post = store.repost(me.user_id, post_id)
    original = store.get_post(post.repost_of)
    emitter.emit(
        "social",
        "repost",
        actor=me.user_id,
        entity=post.repost_of,
        attrs={"author": original.author, "repost_id": post.id},
    )
    return post_out(post)


@router.put("/posts/{post_id}/like", response_model=Changed, operation_id="social_like")
def like(post_id: int, me: CurrentUser, store: StoreDep, emitter: EmitterDep) -> Changed:
    """Like a post; liking twice is a 409 and changes nothing."""
    store.like(me.user_id, post_id)
    author = store.get_post(post_id).author
    emitter.emit("social", "like", actor=me.user_id, entity=post_id, attrs={"author": author})
    return Changed(changed=True)


@router.delete("/posts/{post_id}/like", response_model=Changed, operation_id="social_unlike")
def unlike(post_id: int, me: CurrentUser, store: StoreDep, emitter: EmitterDep) -> Changed:
    store.unlike(me.user_id, post_id)
    emitter.emit("social", "unlike", actor=me.user_id, entity=post_id)
    return Changed(changed=True)


@router.get("/timeline", response_model=PostPage, operation_id="social_home_timeline")
def home_timeline(
    me: CurrentUser,
    store: StoreDep,
    emitter: EmitterDep,
    cursor: str | None = None,
    limit: Limit = 20,
) -> PostPage:
    """The caller's home timeline (hybrid fan-out), newest first."""
    posts = store.home_timeline(me.user_id, decode_cursor(cursor), limit)
    emitter.emit("social", "timeline_read", actor=me.user_id, attrs={"n": len(posts)})
    return _post_page(posts, limit)


# -- direct messages ---------------------------------------------------------------------------
@router.post("/messages", response_model=MessageOut, status_code=201, operation_id="social_send_dm")
def send_dm(body: MessageIn, me: CurrentUser, store: StoreDep, emitter: EmitterDep) -> MessageOut:
    msg = store.messages.send(me.user_id, body.to, body.text)
    emitter.emit(
        "social", "dm_sent", actor=me.user_id, entity=msg.recipient, attrs={"length": len(msg.text)}
    )
    return MessageOut(**asdict(msg))


@router.get("/messages/with/{other}", response_model=MessagePage, operation_id="social_dm_thread")
def dm_thread(
    other: str, me: CurrentUser, store: StoreDep, cursor: str | None = None, limit: Limit = 50
) -> MessagePage:
    """The caller's conversation with ``other``, newest first."""
    msgs = store.messages.conversation(me.user_id, other, decode_cursor(cursor), limit)
    nxt = encode_cursor(msgs[-1].id) if len(msgs) == limit else None
    return MessagePage(items=[MessageOut(**asdict(m)) for m in msgs], next_cursor=nxt)


@router.get("/messages/{message_id}", response_model=MessageOut, operation_id="social_get_dm")
def get_dm(message_id: int, me: CurrentUser, store: StoreDep) -> MessageOut:
    """One message; anyone but its sender and recipient gets 404."""
    return MessageOut(**asdict(store.messages.get(me.user_id, message_id)))


# -- search and trends -------------------------------------------------------------------------
@router.get("/search/posts", response_model=PostPage, operation_id="social_search_posts")
def search_posts(
    store: StoreDep,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    cursor: str | None = None,
    limit: Limit = 20,
) -> PostPage:
    """Posts matching ``q``, best first (BM25). The cursor is an offset."""
    offset = decode_cursor(cursor) or 0
    posts = store.posts_by_ids(store.search.post_ids(q, limit, offset))
    nxt = encode_cursor(offset + limit) if len(posts) == limit else None
    return PostPage(items=[post_out(p) for p in posts], next_cursor=nxt)


@router.get("/search/users", response_model=UserPage, operation_id="social_search_users")
def search_users(
    store: StoreDep, q: Annotated[str, Query(min_length=1, max_length=100)], limit: Limit = 20
) -> UserPage:
    return UserPage(items=[user_out(u) for u in store.search.users(q, limit)], next_cursor=None)
