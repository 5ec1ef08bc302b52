"""The durable work queue over the ``notify_deliveries`` table, with leases and backoff.

Why a table rather than the event spool: the spool is an append-only log built for bulk
ingestion, with no per-message acknowledgement, visibility timeout or delayed retry, which
an at-least-once work queue needs. A row per delivery gives all three with ordinary
conditional updates, works on SQLite and PostgreSQL alike, and doubles as the delivery-status
record. A claim sets ``lease_owner``/``lease_until`` and counts the attempt; a worker that
dies simply lets its lease run out, and the next claim sends again with the same provider
idempotency key.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from sqlalchemy import Engine, and_, case, func, insert, or_, select, update

from services.notify import store
from services.notify.store import DEAD, DIGEST_WAIT, DIGESTED, PENDING, deliveries, now


def full_jitter(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """AWS "full jitter": uniform in [0, min(cap, base * 2**(attempt-1))]."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return (rng or random).uniform(0.0, ceiling)


def _at(at: float | None) -> float:
    """``at`` when given (the caller's clock), else the wall clock."""
    return now() if at is None else at


@dataclass(frozen=True)
class Claimed:
    id: str
    notification_id: str | None
    user_id: str
    channel: str
    category: str
    priority: str
    locale: str
    subject: str
    body: str
    attempts: int  # including this one
    created_at: float
    lease_owner: str


def claim(
    engine: Engine, owner: str, limit: int, lease_s: float, at: float | None = None
) -> list[Claimed]:
    """Lease up to ``limit`` due deliveries to ``owner``; each claim counts one attempt."""
    t = _at(at)
    due = and_(
        deliveries.c.status == PENDING,
        deliveries.c.next_attempt_at <= t,
        or_(deliveries.c.lease_until.is_(None), deliveries.c.lease_until < t),
    )
    out: list[Claimed] = []
    with engine.begin() as conn:
        ids = (
            conn.execute(
                select(deliveries.c.id)
                .where(due)
                .order_by(deliveries.c.next_attempt_at)
                .limit(limit)
            )
            .scalars()
            .all()
        )
        for did in ids:
            res = conn.execute(
                update(deliveries)
                .where(and_(deliveries.c.id == did, due))
                .values(
                    lease_owner=owner,
                    lease_until=t + lease_s,
                    attempts=deliveries.c.attempts + 1,
                    updated_at=t,
                )
            )
            if res.rowcount != 1:
                continue  # another worker won it
            r = conn.execute(select(deliveries).where(deliveries.c.id == did)).one()
            out.append(_claimed(r, owner))
    return out


def _mine(job: Claimed, *, owned: bool = True):
    """Still pending (and, with ``owned``, still leased to this worker).

    A worker whose lease ran out while another took the job over must not reschedule or
    fail it; a success, though, is recorded by whoever sees it first.
    """
    cond = and_(deliveries.c.id == job.id, deliveries.c.status == PENDING)
    return and_(cond, deliveries.c.lease_owner == job.lease_owner) if owned else cond


def complete(
    engine: Engine, job: Claimed, provider_id: str | None, at: float | None = None
) -> bool:
    t = _at(at)
    with engine.begin() as conn:
        res = conn.execute(
            update(deliveries)
            .where(_mine(job, owned=False))
            .values(
                status=store.SENT,
                provider_message_id=provider_id,
                sent_at=t,
                lease_owner=None,
                lease_until=None,
                last_error=None,
                updated_at=t,
            )
        )
    return res.rowcount == 1


def fail(engine: Engine, job: Claimed, status: str, error: str, at: float | None = None) -> bool:
    t = _at(at)
    with engine.begin() as conn:
        res = conn.execute(
            update(deliveries)
            .where(_mine(job))
            .values(
                status=status, last_error=error, lease_owner=None, lease_until=None, updated_at=t
            )
        )
    return res.rowcount == 1


def reschedule(
    engine: Engine,
    job: Claimed,
    at: float,
    error: str | None,
    *,
    refund: bool = False,
    current: float | None = None,
) -> bool:
    """Put a job back for ``at``; ``refund`` gives the attempt back (a deferral, not a failure)."""
    values = {
        "next_attempt_at": at,
        "lease_owner": None,
        "lease_until": None,
        "updated_at": _at(current),
    }
    if error is not None:
        values["last_error"] = error
    if refund:
        values["attempts"] = deliveries.c.attempts - 1
    with engine.begin() as conn:
        res = conn.execute(update(deliveries).where(_mine(job)).values(**values))
    return res.rowcount == 1


def dead_letter(engine: Engine, job: Claimed, error: str, at: float | None = None) -> bool:
    return fail(engine, job, DEAD, error, at)


def list_dead(engine: Engine, limit: int = 100) -> list[dict]:
    with engine.connect() as conn:
        rows = (
            conn.execute(
                select(deliveries)
                .where(deliveries.c.status == DEAD)
                .order_by(deliveries.c.updated_at)
                .limit(limit)
            )
            .mappings()
            .all()
        )
    return [dict(r) for r in rows]


def replay_dead(engine: Engine, ids: list[str] | None = None, at: float | None = None) -> list[str]:
    """Move dead deliveries (all, or ``ids``) back to the queue with a fresh attempt budget."""
    cond = deliveries.c.status == DEAD
    if ids is not None:
        cond = and_(cond, deliveries.c.id.in_(ids))
    t = _at(at)
    with engine.begin() as conn:
        chosen = conn.execute(select(deliveries.c.id).where(cond)).scalars().all()
        if chosen:
            conn.execute(
                update(deliveries)
                .where(and_(cond, deliveries.c.id.in_(chosen)))
                .values(
                    status=PENDING,
                    attempts=0,
                    next_attempt_at=t,
                    lease_owner=None,
                    lease_until=None,
                    updated_at=t,
                )
            )
    return list(chosen)


def counts(engine: Engine, category: str | None = None) -> dict[str, int]:
    query = select(deliveries.c.status, func.count()).group_by(deliveries.c.status)
    if category is not None:
        query = query.where(deliveries.c.category == category)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return {s: int(n) for s, n in rows}


def breakdown(engine: Engine) -> list[tuple[str, str, int, int]]:
    """``(channel, status, deliveries, retries)`` rows: retries are attempts beyond the first."""
    retries = func.sum(case((deliveries.c.attempts > 1, deliveries.c.attempts - 1), else_=0))
    with engine.connect() as conn:
        rows = conn.execute(
            select(deliveries.c.channel, deliveries.c.status, func.count(), retries)
            .group_by(deliveries.c.channel, deliveries.c.status)
            .order_by(deliveries.c.channel, deliveries.c.status)
        ).all()
    return [(c, s, int(n), int(r or 0)) for c, s, n, r in rows]


def outstanding(engine: Engine, include_future: bool = True, at: float | None = None) -> int:
    """Deliveries still to send (pending or waiting for a digest)."""
    cond = deliveries.c.status.in_([PENDING, DIGEST_WAIT])
    if not include_future:
        cond = and_(deliveries.c.status == PENDING, deliveries.c.next_attempt_at <= _at(at))
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(cond)).scalar() or 0)


def due_digest_groups(
    engine: Engine, window_s: float, at: float | None = None
) -> list[tuple[str, str]]:
    t = _at(at)
    with engine.connect() as conn:
        rows = conn.execute(
            select(deliveries.c.user_id, deliveries.c.channel)
            .where(deliveries.c.status == DIGEST_WAIT)
            .group_by(deliveries.c.user_id, deliveries.c.channel)
            .having(func.min(deliveries.c.created_at) <= t - window_s)
        ).all()
    return [(r.user_id, r.channel) for r in rows]


def fold_digest(
    engine: Engine, user_id: str, channel: str, body_for, at: float | None = None
) -> str | None:
    """Fold a user's waiting low-priority deliveries on ``channel`` into one new delivery.

    ``body_for(subjects) -> (subject, body, locale)`` renders the digest. Members become
    ``digested`` and point at the digest; all in one transaction, guarded against a
    concurrent fold by checking every member is still waiting.
    """
    t = _at(at)
    digest_id = "dg" + uuid.uuid4().hex
    waiting = and_(
        deliveries.c.user_id == user_id,
        deliveries.c.channel == channel,
        deliveries.c.status == DIGEST_WAIT,
    )
    with engine.begin() as conn:
        members = conn.execute(
            select(deliveries.c.id, deliveries.c.subject)
            .where(waiting)
            .order_by(deliveries.c.created_at)
        ).all()
        if not members:
            return None
        subj, body, locale = body_for([m.subject for m in members])
        ids = [m.id for m in members]
        res = conn.execute(
            update(deliveries)
            .where(and_(waiting, deliveries.c.id.in_(ids)))
            .values(status=DIGESTED, digest_id=digest_id, updated_at=t)
        )
        if res.rowcount != len(ids):
            raise RuntimeError("digest members changed concurrently; retry")
        conn.execute(
            insert(deliveries).values(
                id=digest_id,
                notification_id=None,
                user_id=user_id,
                channel=channel,
                category="digest",
                priority="normal",
                locale=locale,
                status=PENDING,
                subject=subj,
                body=body,
                attempts=0,
                next_attempt_at=t,
                created_at=t,
                updated_at=t,
            )
        )
    return digest_id


def claim_one(
    engine: Engine, owner: str, delivery_id: str, lease_s: float, at: float | None = None
) -> Claimed | None:
    """Lease one named delivery if it is due and free (the JetStream path)."""
    t = _at(at)
    due = and_(
        deliveries.c.id == delivery_id,
        deliveries.c.status == PENDING,
        deliveries.c.next_attempt_at <= t,
        or_(deliveries.c.lease_until.is_(None), deliveries.c.lease_until < t),
    )
    with engine.begin() as conn:
        res = conn.execute(
            update(deliveries)
            .where(due)
            .values(
                lease_owner=owner,
                lease_until=t + lease_s,
                attempts=deliveries.c.attempts + 1,
                updated_at=t,
            )
        )
        if res.rowcount != 1:
            return None
        r = conn.execute(select(deliveries).where(deliveries.c.id == delivery_id)).one()
    return _claimed(r, owner)


def _claimed(r, owner: str) -> Claimed:
    return Claimed(
        r.id,
        r.notification_id,
        r.user_id,
        r.channel,
        r.category,
        r.priority,
        r.locale,
        r.subject,
        r.body,
        r.attempts,
        r.created_at,
        owner,
    )


def wait_for(engine: Engine, delivery_id: str, at: float | None = None) -> float | None:
    """Seconds until a pending delivery may be tried again; None when it needs no more work."""
    with engine.connect() as conn:
        r = conn.execute(
            select(
                deliveries.c.status, deliveries.c.next_attempt_at, deliveries.c.lease_until
            ).where(deliveries.c.id == delivery_id)
        ).first()
    if r is None or r.status != PENDING:
        return None
    return max(0.0, max(r.next_attempt_at, r.lease_until or 0.0) - _at(at))


def due_unleased(engine: Engine, limit: int = 10_000, at: float | None = None) -> list[str]:
    """Due deliveries nobody holds: what a sweep re-announces."""
    t = _at(at)
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(deliveries.c.id)
                .where(
                    and_(
                        deliveries.c.status == PENDING,
                        deliveries.c.next_attempt_at <= t,
                        or_(deliveries.c.lease_until.is_(None), deliveries.c.lease_until < t),
                    )
                )
                .limit(limit)
            ).scalars()
        )


def delivery_row(engine: Engine, delivery_id: str) -> dict | None:
    """Whose delivery ``delivery_id`` is, of which notification, on which channel."""
    with engine.connect() as conn:
        row = (
            conn.execute(
                select(
                    deliveries.c.user_id,
                    deliveries.c.notification_id,
                    deliveries.c.channel,
                    deliveries.c.category,
                ).where(deliveries.c.id == delivery_id)
            )
            .mappings()
            .first()
        )
    return None if row is None else dict(row)
