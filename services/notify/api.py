"""HTTP API of the notification system (system 12), mounted under ``/notifications``.

Thin: every route parses, calls the one ``NotifyService`` the app built, and maps the result.
Sending needs the ``service`` role (other systems send on behalf of users) or admin; users
manage their own preferences and inbox. Provider callbacks authenticate with an HMAC
signature instead of an API key. With ``BLUEPRINT_NOTIFY_APP_WORKERS`` > 0 the app's startup
asks the service to run that many delivery workers in background threads.
"""

from __future__ import annotations

import asyncio
import functools
from html import escape
from typing import Annotated

import anyio
import orjson
from fastapi import APIRouter, FastAPI, Header, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sse_starlette.sse import EventSourceResponse

from services.auth import Principal
from services.deps import AdminUser, CurrentUser, require_roles, system_service
from services.errors import Invalid
from services.notify import preferences as prefs_mod
from services.notify.errors import BadHeader
from services.notify.inputs import CATEGORY, MAX_INT
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
    SubscriptionIn,
    SubscriptionOut,
    TemplateIn,
    TypeIn,
    TypeOut,
)
from services.notify.sending import SendRequest
from services.notify.service import NotifyService
from services.notify.tracking import PIXEL_GIF

router = APIRouter(prefix="/notifications", tags=["notifications"])
BODY_LIMITS = {"/notifications": 256 * 1024}
NotifyDep = Annotated[NotifyService, system_service("notify")]
ServiceUser = Annotated[Principal, require_roles("service")]


async def startup(app: FastAPI) -> None:
    """Start the in-app delivery workers the settings ask for (none by default)."""
    app.state.services["notify"].start_workers()


async def shutdown(app: FastAPI) -> None:
    """Stop them before the app closes the service (``close()`` would too)."""
    await anyio.to_thread.run_sync(app.state.services["notify"].stop_workers)


def _profile_out(p: prefs_mod.Profile) -> ProfileOut:
    return ProfileOut(**p.__dict__)


def _may_manage(svc: NotifyService, principal: Principal, user_id: str) -> None:
    svc.ensure_may_manage(principal.user_id, user_id, principal.has("service"))


# -- profiles, preferences, templates ----------------------------------------------------
@router.put("/users/{user_id}", response_model=ProfileOut, operation_id="notify_put_user")
def put_user(
    user_id: Annotated[str, Path(pattern=NAME)],
    body: ProfileIn,
    svc: NotifyDep,
    principal: CurrentUser,
) -> ProfileOut:
    """Register or update a user's contacts, time zone and locale."""
    _may_manage(svc, principal, user_id)
    return _profile_out(svc.upsert_profile(user_id, **body.model_dump()))


@router.get("/users/{user_id}", response_model=ProfileOut, operation_id="notify_get_user")
def get_user(
    user_id: Annotated[str, Path(pattern=NAME)], svc: NotifyDep, principal: CurrentUser
) -> ProfileOut:
    _may_manage(svc, principal, user_id)
    return _profile_out(svc.profile(user_id))


def _prefs_out(svc: NotifyService, user_id: str) -> PreferencesOut:
    profile, prefs = svc.preferences(user_id)
    quiet = None
    if profile and profile.quiet_start and profile.quiet_end:
        quiet = QuietHours(start=profile.quiet_start, end=profile.quiet_end)
    return PreferencesOut(
        user_id=user_id,
        timezone=profile.timezone if profile else "UTC",
        quiet_hours=quiet,
        preferences=prefs,
    )


@router.put("/preferences", response_model=PreferencesOut, operation_id="notify_put_preferences")
def put_preferences(
    body: PreferencesIn,
    svc: NotifyDep,
    principal: CurrentUser,
    user_id: Annotated[str | None, Query(pattern=NAME)] = None,
) -> PreferencesOut:
    """Opt in or out per channel (and per category), set the time zone and quiet hours."""
    target = user_id or principal.user_id
    _may_manage(svc, principal, target)
    quiet: tuple[str, str] | None | bool = False
    if body.clear_quiet_hours:
        quiet = None
    elif body.quiet_hours is not None:
        quiet = (body.quiet_hours.start, body.quiet_hours.end)
    svc.set_preferences(
        principal.user_id,
        target,
        channels=body.channels,
        categories=body.categories,
        timezone=body.timezone,
        quiet_hours=quiet,
    )
    return _prefs_out(svc, target)


@router.get("/preferences", response_model=PreferencesOut, operation_id="notify_get_preferences")
def get_preferences(svc: NotifyDep, principal: CurrentUser) -> PreferencesOut:
    return _prefs_out(svc, principal.user_id)


@router.put("/templates/{name}/{locale}", status_code=204, operation_id="notify_put_template")
def put_template(
    name: Annotated[str, Path(pattern=NAME)],
    locale: Annotated[str, Path(pattern=LOCALE)],
    body: TemplateIn,
    svc: NotifyDep,
    admin: AdminUser,
) -> Response:
    """Add or replace a localised template; a syntax error is a 422 now, not at send time."""
    svc.put_template(name, locale, body.subject, body.body)
    return Response(status_code=204)


# -- sending and status ------------------------------------------------------------------
@router.post("", response_model=NotificationOut, status_code=202, operation_id="notify_send")
def send(
    body: SendBody,
    svc: NotifyDep,
    response: Response,
    caller: ServiceUser,
    idempotency_key: Annotated[
        str | None,
        Header(description="1 to 200 printable ASCII characters (400 otherwise), e.g. a UUID"),
    ] = None,
) -> NotificationOut:
    """Send now or at ``send_at``; the same ``Idempotency-Key`` returns the same notification.

    A key that is present must be 1 to 200 printable ASCII characters (400 otherwise).
    """
    send_at = None
    if body.send_at is not None:
        if body.send_at.tzinfo is None:
            raise Invalid("send_at needs a time zone offset, e.g. 2030-01-01T09:00:00Z")
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
        campaign=body.campaign,
    )
    view, created = svc.send(caller.user_id, req, idempotency_key)
    if not created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return NotificationOut(**view)


@router.get("/stats", response_model=dict[str, int], operation_id="notify_stats")
def stats(svc: NotifyDep, caller: ServiceUser) -> dict[str, int]:
    """Deliveries per status (the queue's depth is ``pending``; the DLQ is ``dead``)."""
    return svc.stats()


@router.get("/dlq", response_model=list[DeadOut], operation_id="notify_dlq_list")
def dlq_list(
    svc: NotifyDep, admin: AdminUser, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[DeadOut]:
    return [DeadOut(**{k: r[k] for k in DeadOut.model_fields}) for r in svc.dead_letters(limit)]


@router.post("/dlq/replay", response_model=ReplayOut, operation_id="notify_dlq_replay")
def dlq_replay(body: ReplayIn, svc: NotifyDep, admin: AdminUser) -> ReplayOut:
    """Put dead-lettered deliveries back on the queue with a fresh attempt budget."""
    return ReplayOut(replayed=svc.replay_dead(admin.user_id, body.ids))


# -- inbox -------------------------------------------------------------------------------
@router.get("/inbox", response_model=list[InboxItem], operation_id="notify_inbox")
def get_inbox(
    svc: NotifyDep,
    principal: CurrentUser,
    unread: bool = False,
    after: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[InboxItem]:
    rows = svc.inbox(principal.user_id, unread_only=unread, after=after, limit=limit)
    return [InboxItem(**{k: r[k] for k in InboxItem.model_fields}) for r in rows]


@router.post("/inbox/{message_id}/read", status_code=204, operation_id="notify_inbox_read")
def read_inbox(
    message_id: Annotated[int, Path(ge=0, le=MAX_INT)], svc: NotifyDep, principal: CurrentUser
) -> Response:
    svc.mark_read(principal.user_id, message_id)
    return Response(status_code=204)


@router.get("/inbox/stream", operation_id="notify_inbox_stream", response_class=EventSourceResponse)
async def inbox_stream(
    request: Request,
    svc: NotifyDep,
    principal: CurrentUser,
    last_event_id: Annotated[str | None, Header()] = None,
    poll_s: Annotated[float, Query(ge=0.05, le=10)] = 0.5,
) -> EventSourceResponse:
    """Server-sent events: unread messages first (or from ``Last-Event-ID``), then new ones."""
    user_id = principal.user_id
    if last_event_id is not None and not (
        last_event_id.isascii()
        and last_event_id.isdigit()
        and len(last_event_id) <= len(str(MAX_INT))
        and int(last_event_id) <= MAX_INT
    ):
        raise BadHeader(f"Last-Event-ID must be an inbox message id (0 to {MAX_INT})")

    async def events():
        if last_event_id is not None:
            cursor = int(last_event_id)
            backlog: list[dict] = []
        else:
            cursor = await anyio.to_thread.run_sync(svc.latest_inbox_id, user_id)
            unread = functools.partial(svc.inbox, user_id, unread_only=True)
            backlog = [r for r in await anyio.to_thread.run_sync(unread) if r["id"] <= cursor]
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
            backlog = await anyio.to_thread.run_sync(
                functools.partial(svc.inbox, user_id, after=cursor)
            )

    return EventSourceResponse(events(), ping=15)


# -- provider callbacks ------------------------------------------------------------------
@router.post("/callbacks/{provider}", response_model=CallbackOut, operation_id="notify_callback")
async def callback(
    provider: str,
    request: Request,
    svc: NotifyDep,
    x_signature: Annotated[str | None, Header()] = None,
) -> CallbackOut:
    """A provider reports delivered, failed or bounced for a message it accepted."""
    raw = await request.body()
    svc.verify_callback(provider, raw, x_signature)
    try:
        body = CallbackIn.model_validate_json(raw)
    except ValidationError as exc:
        raise Invalid(f"callback body must be {{message_id, status}}: {exc}") from exc
    out = await anyio.to_thread.run_sync(svc.apply_callback, provider, body.message_id, body.status)
    return CallbackOut(**out)


# -- notification types and subscriptions ------------------------------------------------
TypeName = Annotated[str, Path(pattern=CATEGORY)]


@router.put("/types/{name}", response_model=TypeOut, operation_id="notify_put_type")
def put_type(name: TypeName, body: TypeIn, svc: NotifyDep, admin: AdminUser) -> TypeOut:
    """Register or change a notification type (a category users subscribe to)."""
    t = svc.put_type(
        name,
        body.description,
        default_subscribed=body.default_subscribed,
        mandatory=body.mandatory,
    )
    return TypeOut(**t.__dict__)


@router.get("/types", response_model=list[TypeOut], operation_id="notify_list_types")
def list_types(svc: NotifyDep, principal: CurrentUser) -> list[TypeOut]:
    return [TypeOut(**t.__dict__) for t in svc.types()]


@router.get(
    "/subscriptions", response_model=list[SubscriptionOut], operation_id="notify_subscriptions"
)
def get_subscriptions(
    svc: NotifyDep,
    principal: CurrentUser,
    user_id: Annotated[str | None, Query(pattern=NAME, description="Default: yourself")] = None,
) -> list[SubscriptionOut]:
    """Every registered type, and every category you set, with your standing on each."""
    target = user_id or principal.user_id
    _may_manage(svc, principal, target)
    return [SubscriptionOut(**x.__dict__) for x in svc.subscriptions(target)]


@router.put(
    "/subscriptions/{name}", response_model=SubscriptionOut, operation_id="notify_subscribe"
)
def put_subscription(
    name: TypeName,
    body: SubscriptionIn,
    svc: NotifyDep,
    principal: CurrentUser,
    user_id: Annotated[str | None, Query(pattern=NAME, description="Default: yourself")] = None,
) -> SubscriptionOut:
    """Subscribe to or leave a type (409 for leaving a mandatory one)."""
    target = user_id or principal.user_id
    _may_manage(svc, principal, target)
    found = svc.subscribe(principal.user_id, target, name, body.subscribed, body.channels)
    return SubscriptionOut(**found.__dict__)


# -- open tracking and one-click unsubscribe (the links in emails; no API key) -------------
Token = Annotated[str, Path(max_length=80, pattern=r"^[0-9a-f]{32}\.[A-Za-z0-9_-]{22}$")]
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@router.get(
    "/open/{token}",
    response_class=Response,
    responses={200: {"content": {"image/gif": {}}, "description": "A 1x1 transparent GIF"}},
    operation_id="notify_open_pixel",
)
def open_pixel(
    token: Token, svc: NotifyDep, user_agent: Annotated[str | None, Header()] = None
) -> Response:
    """The open pixel of an email: records an open of that delivery."""
    svc.record_open(token, user_agent)
    return Response(PIXEL_GIF, media_type="image/gif", headers=_NO_STORE)


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><meta charset=utf-8><title>{title}</title></head>"
        f"<body><h1>{title}</h1>{body}</body></html>",
        headers={**_NO_STORE, "Content-Security-Policy": "default-src 'none'; form-action 'self'"},
    )


@router.get(
    "/unsubscribe/{token}", response_class=HTMLResponse, operation_id="notify_unsubscribe_page"
)
def unsubscribe_page(token: Token, svc: NotifyDep) -> HTMLResponse:
    """A page with one button. Fetching the link changes nothing: mail scanners fetch links."""
    svc.check_unsubscribe_link(token)
    return _page(
        "Unsubscribe",
        '<form method="post"><button type="submit" name="List-Unsubscribe" '
        'value="One-Click">Unsubscribe from these emails</button></form>',
    )


@router.post("/unsubscribe/{token}", response_class=HTMLResponse, operation_id="notify_unsubscribe")
def unsubscribe(token: Token, svc: NotifyDep) -> HTMLResponse:
    """RFC 8058 one-click unsubscribe: a POST (body ``List-Unsubscribe=One-Click``) is
    enough, with no cookie or key; answered directly, never by a redirect."""
    category = svc.unsubscribe_link(token)
    return _page("Unsubscribed", f"<p>You will get no more {escape(category)} emails.</p>")


@router.get("/{notification_id}", response_model=NotificationOut, operation_id="notify_get")
def get_notification(
    notification_id: Annotated[str, Path(pattern=NAME)], svc: NotifyDep, principal: CurrentUser
) -> NotificationOut:
    view = svc.notification(notification_id)
    _may_manage(svc, principal, view["user_id"])
    return NotificationOut(**view)
