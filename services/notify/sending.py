"""Accepting notifications: validation, idempotency, rendering, routing, deferral, digests.

``accept`` does all of its work in one transaction: the notification row and one delivery
row per channel (the queue entries). Opted-out or contact-less channels get a ``suppressed``
row, so the status shows why nothing went out. Low-priority notifications, and any beyond the
per-user hourly limit on a channel (urgent excepted), wait to be folded into a digest.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, and_, func, insert, select
from sqlalchemy.exc import IntegrityError

from services.errors import Invalid
from services.notify import inputs, store, subscriptions, templates
from services.notify import preferences as prefs_mod
from services.notify.errors import IdempotencyConflict, UnknownUser
from services.notify.events import event
from services.notify.settings import NotifySettings
from services.notify.store import CHANNELS, PRIORITIES, deliveries, notifications
from services.notify.tracking import TRACKED_CHANNELS, Shorten, rewrite_links
from warehouse.events import Event

MAX_SCHEDULE_AHEAD_S = 366 * 86400


@dataclass
class SendRequest:
    user_id: str
    template: str
    category: str = "general"
    locale: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    channels: list[str] | None = None  # None: by the user's preferences
    send_at: float | None = None  # epoch seconds
    priority: str = "normal"
    campaign: str | None = None  # groups sends in the engagement analytics

    def fingerprint(self) -> str:
        blob = orjson.dumps(
            [
                self.user_id,
                self.template,
                self.category,
                self.locale,
                self.data,
                sorted(self.channels) if self.channels is not None else None,
                self.send_at,
                self.priority,
                self.campaign,
            ],
            option=orjson.OPT_SORT_KEYS,
        )
        return hashlib.sha256(blob).hexdigest()


@dataclass(frozen=True)
class Accepted:
    """What ``accept`` stored: the notification's view, the events to emit, the work to
    announce (pending delivery ids); ``created`` is False for an idempotent replay."""

    view: dict[str, Any]
    created: bool
    events: list[Event] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)


def notification_view(engine: Engine, notification_id: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        n = (
            conn.execute(select(notifications).where(notifications.c.id == notification_id))
            .mappings()
            .first()
        )
        if n is None:
            return None
        ds = (
            conn.execute(
                select(deliveries)
                .where(deliveries.c.notification_id == notification_id)
                .order_by(deliveries.c.channel)
            )
            .mappings()
            .all()
        )
    return {
        "id": n["id"],
        "user_id": n["user_id"],
        "category": n["category"],
        "template": n["template"],
        "locale": n["locale"],
        "priority": n["priority"],
        "send_at": n["send_at"],
        "created_at": n["created_at"],
        "deliveries": [
            {
                "id": d["id"],
                "channel": d["channel"],
                "status": d["status"],
                "attempts": d["attempts"],
                "next_attempt_at": d["next_attempt_at"],
                "last_error": d["last_error"],
                "digest_id": d["digest_id"],
                "sent_at": d["sent_at"],
            }
            for d in ds
        ],
    }


def _existing(engine: Engine, caller: str, idem_key: str, fingerprint: str) -> Accepted | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(notifications.c.id, notifications.c.request_hash).where(
                and_(notifications.c.caller == caller, notifications.c.idem_key == idem_key)
            )
        ).first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise IdempotencyConflict(
            "this Idempotency-Key was already used with a different request; use a new key"
        )
    view = notification_view(engine, row.id)
    return None if view is None else Accepted(view, created=False)


def check_request(req: SendRequest) -> None:
    """Raise ``Invalid`` for text or data the store cannot hold (see ``inputs``), an unknown
    priority or channel, or an empty channel list."""
    for what, text in (
        ("user_id", req.user_id),
        ("template", req.template),
        ("category", req.category),
        ("locale", req.locale or ""),
        *(("channels", ch) for ch in req.channels or ()),
    ):
        inputs.check_text(text, what)
    inputs.check_data(req.data)
    if not re.fullmatch(inputs.CATEGORY_NAME, req.category):
        raise Invalid(f"bad category {req.category!r}: use 1 to 64 of a-z 0-9 _ . -")
    if req.campaign is not None and not re.fullmatch(inputs.CATEGORY_NAME, req.campaign):
        raise Invalid(f"bad campaign {req.campaign!r}: use 1 to 64 of a-z 0-9 _ . -")
    if req.priority not in PRIORITIES:
        raise Invalid(f"unknown priority {req.priority!r}; use one of {list(PRIORITIES)}")
    if req.channels is not None:
        bad = sorted(set(req.channels) - set(CHANNELS))
        if bad:
            raise Invalid(f"unknown channel(s) {bad}; known: {list(CHANNELS)}")
        if not req.channels:
            raise Invalid("channels is empty: list channels or omit it to use preferences")


def _over_limit(conn: Connection, limit: int, user_id: str, channel: str, t: float) -> bool:
    n = conn.execute(
        select(func.count()).where(
            and_(
                deliveries.c.user_id == user_id,
                deliveries.c.channel == channel,
                deliveries.c.created_at > t - 3600,
                deliveries.c.status.notin_([store.DIGEST_WAIT, store.DIGESTED, store.SUPPRESSED]),
            )
        )
    ).scalar()
    return int(n or 0) >= limit


def accept(
    engine: Engine,
    conf: NotifySettings,
    caller: str,
    req: SendRequest,
    idem_key: str | None,
    t: float,
    shorten: Shorten | None = None,
) -> Accepted:
    """Store a notification and its deliveries at time ``t``; same key and request: same id.

    With ``shorten``, the links in each email, SMS and push body become short links of
    their own (``tracking``), made before the transaction so it holds no other store's work.

    Raises ``Invalid`` (bad input or template), ``BadIdempotencyKey``, ``UnknownUser`` or
    ``IdempotencyConflict``.
    """
    inputs.check_idempotency_key(idem_key)
    check_request(req)  # first: the fingerprint needs text and data orjson can encode
    fingerprint = req.fingerprint()
    if idem_key is not None:
        found = _existing(engine, caller, idem_key, fingerprint)
        if found is not None:
            return found
    send_at = t if req.send_at is None else max(t, req.send_at)
    if send_at - t > MAX_SCHEDULE_AHEAD_S:
        raise Invalid("send_at is more than a year ahead")
    profile = prefs_mod.get_profile(engine, req.user_id)
    if profile is None:
        raise UnknownUser(
            f"unknown user {req.user_id!r}: register it with "
            f"PUT /notifications/users/{{user_id}} first"
        )
    rendered = templates.render(
        engine, req.template, req.locale or profile.locale, req.data, conf.default_locale
    )
    user_prefs = prefs_mod.get_preferences(engine, req.user_id)
    rule = subscriptions.rule(engine, req.category)
    wanted = list(dict.fromkeys(req.channels)) if req.channels is not None else list(CHANNELS)
    nid = uuid.uuid4().hex
    may = {ch: prefs_mod.allowed(user_prefs, profile, req.category, ch, rule) for ch in wanted}
    ids = {ch: uuid.uuid4().hex for ch in wanted}
    bodies = {ch: rendered.body for ch in wanted}
    tracked: list[Event] = []
    for ch in wanted:
        if shorten is None or not may[ch] or ch not in TRACKED_CHANNELS:
            continue
        bodies[ch], links = rewrite_links(rendered.body, shorten)
        for link in links:
            tracked.append(
                event(
                    "link_tracked",
                    req.user_id,
                    ids[ch],
                    notification_id=nid,
                    channel=ch,
                    code=link.code,
                )
            )
    quiet = None if req.priority == "urgent" else prefs_mod.quiet_until(profile, send_at)
    rows: list[dict[str, Any]] = []
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(notifications).values(
                    id=nid,
                    user_id=req.user_id,
                    category=req.category,
                    template=req.template,
                    locale=rendered.locale,
                    priority=req.priority,
                    data=orjson.dumps(req.data).decode(),
                    caller=caller,
                    idem_key=idem_key,
                    request_hash=fingerprint,
                    send_at=send_at,
                    created_at=t,
                )
            )
            for ch in wanted:
                status = store.PENDING
                reason = None
                if not may[ch]:
                    status = store.SUPPRESSED
                    reason = (
                        "no contact for this channel"
                        if profile.contact(ch) is None
                        else "user opted out"
                    )
                elif req.priority == "low" or (
                    req.priority != "urgent"
                    and _over_limit(conn, conf.user_hourly_limit, req.user_id, ch, t)
                ):
                    status = store.DIGEST_WAIT
                rows.append(
                    dict(
                        id=ids[ch],
                        notification_id=nid,
                        user_id=req.user_id,
                        channel=ch,
                        category=req.category,
                        priority=req.priority,
                        locale=rendered.locale,
                        status=status,
                        subject=rendered.subject,
                        body=bodies[ch],
                        attempts=0,
                        next_attempt_at=quiet or send_at,
                        created_at=t,
                        updated_at=t,
                        last_error=reason,
                    )
                )
            if rows:
                conn.execute(insert(deliveries), rows)
    except IntegrityError:
        if idem_key is not None:  # a concurrent request with the same key won the race
            found = _existing(engine, caller, idem_key, fingerprint)
            if found is not None:
                return found
        raise
    events = [
        event(
            "notification_accepted",
            req.user_id,
            None,
            notification_id=nid,
            category=req.category,
            template=req.template,
            locale=rendered.locale,
            priority=req.priority,
            campaign=req.campaign,
            channels=[r["channel"] for r in rows],
            scheduled=send_at > t + 1,
        ),
        *tracked,
    ]
    for r in rows:
        kind = {
            store.SUPPRESSED: "delivery_suppressed",
            store.DIGEST_WAIT: "delivery_digest_wait",
        }.get(r["status"], "delivery_deferred" if quiet else "delivery_queued")
        events.append(
            event(
                kind,
                req.user_id,
                r["id"],
                notification_id=nid,
                channel=r["channel"],
                category=req.category,
                reason=r["last_error"],
                not_before=r["next_attempt_at"],
            )
        )
    view = notification_view(engine, nid)
    assert view is not None
    pending = [r["id"] for r in rows if r["status"] == store.PENDING]
    return Accepted(view, created=True, events=events, pending=pending)
