"""HTTP API of the notification system (system 12), mounted under ``/notifications``.

Thin: every route calls the plain modules of this package. Sending needs the ``service``
role (other systems send on behalf of users) or admin; users manage their own preferences and
inbox. Provider callbacks authenticate with an HMAC signature instead of an API key.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from typing import Annotated

import anyio
import orjson
from fastapi import APIRouter, FastAPI, Header, HTTPException, Path, Query, Request, Response
from sse_starlette.sse import EventSourceResponse

from services.auth import Principal
from services.deps import AdminUser, CurrentUser, EmitterDep, require_roles
from services.notify import preferences as prefs_mod
from services.notify import queue, status, templates
from services.notify.config import get_notify_settings
from services.notify.jetstream import make_dispatch
from services.notify.schemas import (
    LOCALE,
    NAME,
    CallbackIn,
    CallbackOut,
    DeadOut,
    InboxItem,
    NotificationOut,
    PreferencesIn,
    PreferencesOut,
    ProfileIn,
    ProfileOut,
    QuietHours,
    ReplayIn,
    ReplayOut,
    SendBody,
    TemplateIn,
)
from services.notify.service import (
    BadRequest,
    IdempotencyConflict,
    NotifyService,
    SendRequest,
    UnknownUser,
    notification_view,
)
from services.notify.store import open_store

log = logging.getLogger(__name__)

router = APIRouter(prefix="/notifications", tags=["notifications"])
BODY_LIMITS = {"/notifications": 256 * 1024}
ServiceUser = Annotated[Principal, require_roles("service")]


async def startup(app: FastAPI) -> None:
    settings = app.state.settings
    engine = open_store(settings)
    cfg = get_notify_settings()
    dispatch = None
    if settings.nats_url:
        try:
            dispatch = make_dispatch(settings.nats_url, cfg.lease_s)
        except Exception:  # noqa: BLE001 - workers' sweeps still find the work in the store
            log.warning("JetStream unreachable at %s; not announcing work", settings.nats_url)
    app.state.notify = NotifyService(engine, cfg, app.state.emitter, dispatch)


async def shutdown(app: FastAPI) -> None:
    svc = getattr(app.state, "notify", None)
    if svc is not None:
        if svc.dispatch is not None:
            svc.dispatch.close()
        svc.engine.dispose()


def _svc(request: Request) -> NotifyService:
    svc = getattr(request.app.state, "notify", None)
    if svc is None:  # app used without its lifespan
        svc = NotifyService(
            open_store(request.app.state.settings), get_notify_settings(), request.app.state.emitter
        )
        request.app.state.notify = svc
    return svc


def _profile_out(p: prefs_mod.Profile) -> ProfileOut:
    return ProfileOut(**p.__dict__)


def _self_or(principal: Principal, user_id: str, *roles: str) -> None:
    if principal.user_id != user_id and not principal.has(*roles):
        raise HTTPException(403, "you can only manage your own notifications")


# -- profiles, preferences, templates ----------------------------------------------------
@router.put("/users/{user_id}", response_model=ProfileOut, operation_id="notify_put_user")
def put_user(
    user_id: Annotated[str, Path(pattern=NAME)],
    body: ProfileIn,
    request: Request,
    principal: CurrentUser,
) -> ProfileOut:
    """Register or update a user's contacts, time zone and locale."""
    _self_or(principal, user_id, "service")
    try:
        profile = prefs_mod.upsert_profile(_svc(request).engine, user_id, **body.model_dump())
    except prefs_mod.PreferenceError as exc:
        raise HTTPException(422, str(exc)) from exc
    return _profile_out(profile)


@router.get("/users/{user_id}", response_model=ProfileOut, operation_id="notify_get_user")
def get_user(user_id: str, request: Request, principal: CurrentUser) -> ProfileOut:
    _self_or(principal, user_id, "service")
    profile = prefs_mod.get_profile(_svc(request).engine, user_id)
    if profile is None:
        raise HTTPException(404, f"unknown user {user_id!r}")
    return _profile_out(profile)


def _prefs_out(request: Request, user_id: str) -> PreferencesOut:
    engine = _svc(request).engine
    profile = prefs_mod.get_profile(engine, user_id)
    quiet = None
    if profile and profile.quiet_start and profile.quiet_end:
        quiet = QuietHours(start=profile.quiet_start, end=profile.quiet_end)
    return PreferencesOut(
        user_id=user_id,
        timezone=profile.timezone if profile else "UTC",
        quiet_hours=quiet,
        preferences=prefs_mod.get_preferences(engine, user_id),
    )


@router.put("/preferences", response_model=PreferencesOut, operation_id="notify_put_preferences")
def put_preferences(
    body: PreferencesIn, request: Request, principal: CurrentUser, user_id: str | None = None
) -> PreferencesOut:
    """Opt in or out per channel (and per category), set the time zone and quiet hours."""
    target = user_id or principal.user_id
    _self_or(principal, target, "service")
    quiet: tuple[str, str] | None | bool = False
    if body.clear_quiet_hours:
        quiet = None
    elif body.quiet_hours is not None:
        quiet = (body.quiet_hours.start, body.quiet_hours.end)
    try:
        prefs_mod.set_preferences(
            _svc(request).engine,
            target,
            channels=body.channels,
            categories=body.categories,
            timezone=body.timezone,
            quiet_hours=quiet,
        )
    except prefs_mod.PreferenceError as exc:
        raise HTTPException(422, str(exc)) from exc
    emitter = _svc(request).emitter
    if emitter is not None:
        emitter.emit(
            "notify",
            "preferences_changed",
            actor=principal.user_id,
            entity=target,
            attrs={"channels": body.channels, "categories": body.categories},
        )
    return _prefs_out(request, target)


@router.get("/preferences", response_model=PreferencesOut, operation_id="notify_get_preferences")
def get_preferences(request: Request, principal: CurrentUser) -> PreferencesOut:
    return _prefs_out(request, principal.user_id)


@router.put("/templates/{name}/{locale}", status_code=204, operation_id="notify_put_template")
def put_template(
    name: Annotated[str, Path(pattern=NAME)],
    locale: Annotated[str, Path(pattern=LOCALE)],
    body: TemplateIn,
    request: Request,
    admin: AdminUser,
) -> Response:
    """Add or replace a localised template; a syntax error is a 422 now, not at send time."""
    try:
        templates.compile_check(body.subject, body.body)
    except templates.TemplateError as exc:
        raise HTTPException(422, str(exc)) from exc
    templates.upsert(_svc(request).engine, name, locale, body.subject, body.body)
    return Response(status_code=204)


# -- sending and status ------------------------------------------------------------------
@router.post("", response_model=NotificationOut, status_code=202, operation_id="notify_send")
def send(
    body: SendBody,
    request: Request,
    response: Response,
    caller: ServiceUser,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> NotificationOut:
    """Send now or at ``send_at``; the same ``Idempotency-Key`` returns the same notification."""
    send_at = None
    if body.send_at is not None:
        if body.send_at.tzinfo is None:
            raise HTTPException(422, "send_at needs a time zone offset, e.g. 2030-01-01T09:00:00Z")
        send_at = body.send_at.timestamp()
    req = SendRequest(
        user_id=body.user_id,
        template=body.template,
        category=body.category,
        locale=body.locale,
        data=body.data,
        channels=None if body.channels == "preference" else list(body.channels),
        send_at=send_at,
        priority=body.priority,
    )
    try:
        view, created = _svc(request).send(caller.user_id, req, idempotency_key)
    except UnknownUser as exc:
        raise HTTPException(404, str(exc)) from exc
    except IdempotencyConflict as exc:
        raise HTTPException(409, str(exc)) from exc
    except (BadRequest, templates.TemplateError) as exc:
        raise HTTPException(422, str(exc)) from exc
    if not created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return NotificationOut(**view)


@router.get("/stats", response_model=dict[str, int], operation_id="notify_stats")
def stats(request: Request, caller: ServiceUser) -> dict[str, int]:
    """Deliveries per status (the queue's depth is ``pending``; the DLQ is ``dead``)."""
    return queue.counts(_svc(request).engine)


@router.get("/dlq", response_model=list[DeadOut], operation_id="notify_dlq_list")
def dlq_list(
    request: Request, admin: AdminUser, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[DeadOut]:
    return [
        DeadOut(**{k: r[k] for k in DeadOut.model_fields})
        for r in queue.list_dead(_svc(request).engine, limit)
    ]


@router.post("/dlq/replay", response_model=ReplayOut, operation_id="notify_dlq_replay")
def dlq_replay(body: ReplayIn, request: Request, admin: AdminUser) -> ReplayOut:
    """Put dead-lettered deliveries back on the queue with a fresh attempt budget."""
    svc = _svc(request)
    ids = queue.replay_dead(svc.engine, body.ids)
    svc.announce(ids, f"replay-{time.time():.0f}")
    if ids and svc.emitter:
        svc.emitter.emit("notify", "dlq_replayed", actor=admin.user_id, attrs={"ids": ids})
    return ReplayOut(replayed=ids)


# -- inbox -------------------------------------------------------------------------------
@router.get("/inbox", response_model=list[InboxItem], operation_id="notify_inbox")
def get_inbox(
    request: Request,
    principal: CurrentUser,
    unread: bool = False,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[InboxItem]:
    rows = status.list_inbox(
        _svc(request).engine, principal.user_id, unread_only=unread, after=after, limit=limit
    )
    return [InboxItem(**{k: r[k] for k in InboxItem.model_fields}) for r in rows]


@router.post("/inbox/{message_id}/read", status_code=204, operation_id="notify_inbox_read")
def read_inbox(message_id: int, request: Request, principal: CurrentUser) -> Response:
    svc = _svc(request)
    if not status.mark_read(svc.engine, svc.emitter, principal.user_id, message_id):
        raise HTTPException(404, f"no inbox message {message_id} for you")
    return Response(status_code=204)


@router.get("/inbox/stream", operation_id="notify_inbox_stream", response_class=EventSourceResponse)
async def inbox_stream(
    request: Request,
    principal: CurrentUser,
    last_event_id: Annotated[str | None, Header()] = None,
    poll_s: Annotated[float, Query(ge=0.05, le=10)] = 0.5,
) -> EventSourceResponse:
    """Server-sent events: unread messages first (or from ``Last-Event-ID``), then new ones."""
    engine = _svc(request).engine
    user_id = principal.user_id
    if last_event_id is not None and not last_event_id.isdigit():
        raise HTTPException(400, "Last-Event-ID must be an inbox message id")

    async def events():
        if last_event_id is not None:
            cursor = int(last_event_id)
            backlog: list[dict] = []
        else:
            cursor = await anyio.to_thread.run_sync(status.latest_inbox_id, engine, user_id)
            backlog = [
                r
                for r in await anyio.to_thread.run_sync(
                    lambda: status.list_inbox(engine, user_id, unread_only=True)
                )
                if r["id"] <= cursor
            ]
        while True:
            for r in backlog:
                cursor = max(cursor, r["id"])
                yield {
                    "id": str(r["id"]),
                    "event": "notification",
                    "data": orjson.dumps({k: r[k] for k in InboxItem.model_fields}).decode(),
                }
            if await request.is_disconnected():
                return
            await asyncio.sleep(poll_s)
            after = cursor
            backlog = await anyio.to_thread.run_sync(
                functools.partial(status.list_inbox, engine, user_id, after=after)
            )

    return EventSourceResponse(events(), ping=15)


# -- provider callbacks ------------------------------------------------------------------
@router.post("/callbacks/{provider}", response_model=CallbackOut, operation_id="notify_callback")
async def callback(
    provider: str,
    request: Request,
    emitter: EmitterDep,
    x_signature: Annotated[str | None, Header()] = None,
) -> CallbackOut:
    """A provider reports delivered, failed or bounced for a message it accepted."""
    raw = await request.body()
    svc = _svc(request)
    if not status.verify(svc.cfg.callback_secret, provider, raw, x_signature):
        raise HTTPException(401, "bad or missing X-Signature (sha256 HMAC of the body)")
    try:
        body = CallbackIn.model_validate_json(raw)
    except ValueError as exc:
        raise HTTPException(422, f"callback body must be {{message_id, status}}: {exc}") from exc
    try:
        out = await anyio.to_thread.run_sync(
            status.apply_callback, svc.engine, emitter, provider, body.message_id, body.status
        )
    except status.CallbackError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    return CallbackOut(**out)


@router.get("/{notification_id}", response_model=NotificationOut, operation_id="notify_get")
def get_notification(
    notification_id: str, request: Request, principal: CurrentUser
) -> NotificationOut:
    view = notification_view(_svc(request).engine, notification_id)
    if view is None:
        raise HTTPException(404, f"no notification {notification_id!r}")
    _self_or(principal, view["user_id"], "service")
    return NotificationOut(**view)
