"""The read and follow-up side: provider callbacks, the in-app inbox, and the DLQ view.

Provider callbacks are signed: ``X-Signature: sha256=<hex HMAC of the raw body>`` with the
shared ``callback_secret`` and the provider name as a prefix, so one provider cannot forge
another's reports. A callback moves a ``sent`` delivery to ``delivered``, ``failed`` or
``bounced``; repeating the same report is harmless.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select, update

from services.errors import Conflict, Invalid, NotFound
from services.notify import store
from services.notify.events import event
from services.notify.store import deliveries, inbox
from warehouse.events import Event

CALLBACK_STATUSES = (store.DELIVERED, store.FAILED, store.BOUNCED)
PROVIDERS = {"sms": "sms", "push": "push", "smtp": "email", "email": "email"}


def sign(secret: str, provider: str, body: bytes) -> str:
    mac = hmac.new(f"{provider}:{secret}".encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={mac}"


def verify(secret: str, provider: str, body: bytes, signature: str | None) -> bool:
    return bool(signature) and hmac.compare_digest(sign(secret, provider, body), signature or "")


def check_report(provider: str, status: str) -> str:
    """The channel ``provider`` reports on; ``NotFound`` / ``Invalid`` for bad names."""
    channel = PROVIDERS.get(provider)
    if channel is None:
        raise NotFound(f"unknown provider {provider!r}; known: {sorted(PROVIDERS)}")
    if status not in CALLBACK_STATUSES:
        raise Invalid(f"status must be one of {list(CALLBACK_STATUSES)}")
    return channel


def apply_callback(
    engine: Engine, provider: str, message_id: str, status: str, at: float
) -> tuple[dict[str, Any], list[Event]]:
    """Record a provider's report on one message, found by provider id or delivery id.

    Returns the outcome and the event to emit (none when the report repeats a known one).
    """
    channel = check_report(provider, status)
    match = and_(
        deliveries.c.channel == channel,
        or_(deliveries.c.provider_message_id == message_id, deliveries.c.id == message_id),
    )
    with engine.begin() as conn:
        row = conn.execute(select(deliveries).where(match)).first()
        if row is None:
            raise NotFound(f"no {channel} delivery with message id {message_id!r}")
        if row.status == status:
            return {"delivery_id": row.id, "status": status, "changed": False}, []
        if row.status not in (store.SENT, store.DELIVERED):
            raise Conflict(f"delivery is {row.status}; only sent messages take callbacks")
        conn.execute(
            update(deliveries).where(deliveries.c.id == row.id).values(status=status, updated_at=at)
        )
    latency_ms = None if row.sent_at is None else round((at - row.created_at) * 1000, 1)
    reported = event(
        f"delivery_{status}",
        row.user_id,
        row.id,
        channel=channel,
        provider=provider,
        notification_id=row.notification_id,
        latency_ms=latency_ms,
    )
    return {"delivery_id": row.id, "status": status, "changed": True}, [reported]


def list_inbox(
    engine: Engine, user_id: str, *, unread_only: bool = False, after: int = 0, limit: int = 50
) -> list[dict[str, Any]]:
    cond = and_(inbox.c.user_id == user_id, inbox.c.id > after)
    if unread_only:
        cond = and_(cond, inbox.c.read_at.is_(None))
    with engine.connect() as conn:
        rows = (
            conn.execute(select(inbox).where(cond).order_by(inbox.c.id).limit(limit))
            .mappings()
            .all()
        )
    return [dict(r) for r in rows]


def latest_inbox_id(engine: Engine, user_id: str) -> int:
    with engine.connect() as conn:
        rows = conn.execute(
            select(inbox.c.id)
            .where(inbox.c.user_id == user_id)
            .order_by(inbox.c.id.desc())
            .limit(1)
        ).scalar()
    return int(rows or 0)


def mark_read(engine: Engine, user_id: str, message_id: int, at: float) -> bool | None:
    """Mark one of ``user_id``'s inbox messages read: True if it was unread, False if it was
    read already, None if the user has no such message."""
    with engine.begin() as conn:
        res = conn.execute(
            update(inbox)
            .where(
                and_(
                    inbox.c.id == message_id, inbox.c.user_id == user_id, inbox.c.read_at.is_(None)
                )
            )
            .values(read_at=at)
        )
        exists = conn.execute(
            select(inbox.c.id).where(and_(inbox.c.id == message_id, inbox.c.user_id == user_id))
        ).first()
    if exists is None:
        return None
    return bool(res.rowcount)


def inbox_totals(engine: Engine) -> dict[str, int]:
    """Messages in every inbox, and how many of them their user has read."""
    with engine.connect() as conn:
        total, read = conn.execute(select(func.count(), func.count(inbox.c.read_at))).one()
    return {"messages": int(total), "read": int(read)}
