"""Accepting notifications: validation, idempotency, rendering, routing, deferral, digests.

``send`` does all of its work in one transaction: the notification row and one delivery row
per channel (the queue entries). Opted-out or contact-less channels get a ``suppressed`` row,
so the status shows why nothing went out. Low-priority notifications, and any beyond the
per-user hourly limit on a channel (urgent excepted), wait to be folded into a digest.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Engine, and_, func, insert, select
from sqlalchemy.exc import IntegrityError

from services.notify import preferences as prefs_mod
from services.notify import store, templates
from services.notify.config import CHANNELS, PRIORITIES, NotifySettings
from services.notify.events import emit_all, event
from services.notify.jetstream import JetStreamDispatch
from services.notify.store import deliveries, notifications, now
from warehouse.emitter import Emitter

log = logging.getLogger(__name__)

MAX_SCHEDULE_AHEAD_S = 366 * 86400


class UnknownUser(LookupError):
    pass


class BadRequest(ValueError):
    pass


class IdempotencyConflict(ValueError):
    pass


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
            ],
            option=orjson.OPT_SORT_KEYS,
        )
        return hashlib.sha256(blob).hexdigest()


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


class NotifyService:
    """The write side used by the API, the CLI and other systems in-process."""

    def __init__(
        self,
        engine: Engine,
        cfg: NotifySettings,
        emitter: Emitter | None,
        dispatch: JetStreamDispatch | None = None,
    ) -> None:
        self.engine = engine
        self.cfg = cfg
        self.emitter = emitter
        self.dispatch = dispatch
        templates.seed_builtins(engine)

    def _existing(self, caller: str, idem_key: str, fingerprint: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
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
        return notification_view(self.engine, row.id)

    def send(
        self, caller: str, req: SendRequest, idem_key: str | None = None
    ) -> tuple[dict[str, Any], bool]:
        """Accept a notification; returns ``(view, created)``. Same key and request: same id."""
        fingerprint = req.fingerprint()
        if idem_key:
            found = self._existing(caller, idem_key, fingerprint)
            if found is not None:
                return found, False
        if req.priority not in PRIORITIES:
            raise BadRequest(f"unknown priority {req.priority!r}; use one of {list(PRIORITIES)}")
        if req.channels is not None:
            bad = sorted(set(req.channels) - set(CHANNELS))
            if bad:
                raise BadRequest(f"unknown channel(s) {bad}; known: {list(CHANNELS)}")
            if not req.channels:
                raise BadRequest("channels is empty: list channels or omit it to use preferences")
        t = now()
        send_at = t if req.send_at is None else max(t, req.send_at)
        if send_at - t > MAX_SCHEDULE_AHEAD_S:
            raise BadRequest("send_at is more than a year ahead")
        profile = prefs_mod.get_profile(self.engine, req.user_id)
        if profile is None:
            raise UnknownUser(
                f"unknown user {req.user_id!r}: register it with "
                f"PUT /notifications/users/{{user_id}} first"
            )
        locale = req.locale or profile.locale
        rendered = templates.render(
            self.engine, req.template, locale, req.data, self.cfg.default_locale
        )
        user_prefs = prefs_mod.get_preferences(self.engine, req.user_id)
        wanted = list(dict.fromkeys(req.channels)) if req.channels is not None else list(CHANNELS)
        nid = uuid.uuid4().hex
        quiet = None if req.priority == "urgent" else prefs_mod.quiet_until(profile, send_at)
        rows: list[dict[str, Any]] = []
        events = []
        try:
            with self.engine.begin() as conn:
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
                    if not prefs_mod.allowed(user_prefs, profile, req.category, ch):
                        status = store.SUPPRESSED
                        reason = (
                            "no contact for this channel"
                            if profile.contact(ch) is None
                            else "user opted out"
                        )
                    elif req.priority == "low" or (
                        req.priority != "urgent" and self._over_limit(conn, req.user_id, ch, t)
                    ):
                        status = store.DIGEST_WAIT
                    rows.append(
                        dict(
                            id=uuid.uuid4().hex,
                            notification_id=nid,
                            user_id=req.user_id,
                            channel=ch,
                            category=req.category,
                            priority=req.priority,
                            locale=rendered.locale,
                            status=status,
                            subject=rendered.subject,
                            body=rendered.body,
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
            if idem_key:  # a concurrent request with the same key won the race
                found = self._existing(caller, idem_key, fingerprint)
                if found is not None:
                    return found, False
            raise
        events.append(
            event(
                "notification_accepted",
                req.user_id,
                None,
                notification_id=nid,
                category=req.category,
                template=req.template,
                locale=rendered.locale,
                priority=req.priority,
                channels=[r["channel"] for r in rows],
                scheduled=send_at > t + 1,
            )
        )
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
        emit_all(self.emitter, events)
        self.announce([r["id"] for r in rows if r["status"] == store.PENDING])
        view = notification_view(self.engine, nid)
        assert view is not None
        return view, True

    def announce(self, delivery_ids: list[str], generation: str = "0") -> None:
        """Tell JetStream workers about new work; a failure is healed by the workers' sweep."""
        if self.dispatch is None or not delivery_ids:
            return
        try:
            self.dispatch.publish(delivery_ids, generation)
        except Exception:  # noqa: BLE001 - the store already holds the work
            log.warning("JetStream publish failed; the sweep will re-announce", exc_info=True)

    def _over_limit(self, conn, user_id: str, channel: str, t: float) -> bool:
        n = conn.execute(
            select(func.count()).where(
                and_(
                    deliveries.c.user_id == user_id,
                    deliveries.c.channel == channel,
                    deliveries.c.created_at > t - 3600,
                    deliveries.c.status.notin_(
                        [store.DIGEST_WAIT, store.DIGESTED, store.SUPPRESSED]
                    ),
                )
            )
        ).scalar()
        return int(n or 0) >= self.cfg.user_hourly_limit
