"""Notification types and each user's subscriptions to them.

A type is a category with a description, a default (subscribed, or opt-in) and a
``mandatory`` flag. A subscription is stored as the category's ``*`` row in the preferences
table, so the one resolution in ``preferences.allowed`` decides every send; per-channel
rows under the type still narrow it. Categories nobody registered behave as a type that is
subscribed by default. The one-click unsubscribe of an email (RFC 8058) turns the type off
on email only: it is the list that message came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select

from services.errors import Conflict, Invalid, NotFound
from services.notify import inputs
from services.notify.preferences import (
    DEFAULT_RULE,
    WHOLE_TYPE,
    TypeRule,
    allowed,
    get_preferences,
    get_profile,
    set_preferences,
)
from services.notify.store import CHANNELS, deliveries, now, preferences, types, users


@dataclass(frozen=True)
class NotificationType:
    name: str
    description: str
    default_subscribed: bool
    mandatory: bool

    @property
    def rule(self) -> TypeRule:
        return TypeRule(self.default_subscribed, self.mandatory)


@dataclass(frozen=True)
class Subscription:
    type: str
    subscribed: bool
    mandatory: bool
    channels: dict[str, bool]  # every channel: may this type use it for this user?


def check_name(name: str) -> str:
    if not re.fullmatch(inputs.CATEGORY_NAME, name):
        raise Invalid(f"bad notification type {name!r}: use 1 to 64 of a-z 0-9 _ . -")
    return name


def put_type(
    engine: Engine, name: str, description: str, *, default_subscribed: bool, mandatory: bool
) -> NotificationType:
    check_name(name)
    inputs.check_text(description, "description")
    row = {
        "description": description,
        "default_subscribed": default_subscribed,
        "mandatory": mandatory,
        "updated_at": now(),
    }
    with engine.begin() as conn:
        conn.execute(delete(types).where(types.c.name == name))
        conn.execute(insert(types).values(name=name, **row))
    return NotificationType(name, description, default_subscribed, mandatory)


def list_types(engine: Engine) -> list[NotificationType]:
    with engine.connect() as conn:
        rows = conn.execute(select(types).order_by(types.c.name)).all()
    return [
        NotificationType(r.name, r.description, r.default_subscribed, r.mandatory) for r in rows
    ]


def rule(engine: Engine, category: str) -> TypeRule:
    """The rule of ``category``'s type; the default for a category nobody registered."""
    with engine.connect() as conn:
        row = conn.execute(
            select(types.c.default_subscribed, types.c.mandatory).where(types.c.name == category)
        ).first()
    return DEFAULT_RULE if row is None else TypeRule(row.default_subscribed, row.mandatory)


def subscriptions(engine: Engine, user_id: str) -> list[Subscription]:
    """The user's standing on every registered type and every category they set."""
    profile = get_profile(engine, user_id)
    if profile is None:
        raise NotFound(f"unknown user {user_id!r}")
    prefs = get_preferences(engine, user_id)
    known = {t.name: t.rule for t in list_types(engine)}
    names = sorted(set(known) | {c for c in prefs if c != "*"})
    out = []
    for name in names:
        r = known.get(name, DEFAULT_RULE)
        subscribed = r.mandatory or prefs.get(name, {}).get(WHOLE_TYPE, r.default_subscribed)
        chans = {ch: subscribed and allowed(prefs, profile, name, ch, r) for ch in CHANNELS}
        out.append(Subscription(name, subscribed, r.mandatory, chans))
    return out


def subscribe(
    engine: Engine, user_id: str, name: str, subscribed: bool, channels: dict[str, bool] | None
) -> Subscription:
    """Join or leave type ``name``; ``channels`` also sets its per-channel rows.

    Leaving a mandatory type is a ``Conflict``."""
    check_name(name)
    if rule(engine, name).mandatory and not subscribed:
        raise Conflict(f"{name!r} notifications are mandatory: they cannot be unsubscribed")
    with engine.connect() as conn:
        if conn.execute(select(users.c.user_id).where(users.c.user_id == user_id)).first() is None:
            raise NotFound(f"unknown user {user_id!r}")
    if channels:
        set_preferences(engine, user_id, categories={name: channels})
    with engine.begin() as conn:
        conn.execute(
            delete(preferences).where(
                (preferences.c.user_id == user_id)
                & (preferences.c.category == name)
                & (preferences.c.channel == WHOLE_TYPE)
            )
        )
        conn.execute(
            insert(preferences).values(
                user_id=user_id, category=name, channel=WHOLE_TYPE, enabled=subscribed
            )
        )
    return next(s for s in subscriptions(engine, user_id) if s.type == name)


def unsubscribe_delivery(engine: Engine, delivery_id: str) -> tuple[str, str]:
    """Turn email off for the type of delivery ``delivery_id`` (the one-click link).

    Returns ``(user_id, category)``; repeating it is harmless."""
    with engine.connect() as conn:
        row = conn.execute(
            select(deliveries.c.user_id, deliveries.c.category).where(
                deliveries.c.id == delivery_id
            )
        ).first()
    if row is None:
        raise NotFound("this unsubscribe link is no longer valid")
    if rule(engine, row.category).mandatory:
        raise Conflict(f"{row.category!r} emails are mandatory: they cannot be unsubscribed")
    set_preferences(engine, row.user_id, categories={row.category: {"email": False}})
    return row.user_id, row.category
