"""Signed webhooks with Stripe's scheme, and an inbox that processes each event once.

A delivery carries ``Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.payload">``.
The receiver checks the HMAC in constant time and refuses timestamps older than the tolerance
(replays), exactly as ``stripe.Webhook.construct_event`` does, so deliveries from either side
verify on the other. Gateways deliver at least once; ``WebhookInbox`` records each event id
with a primary key and runs its handler in the same transaction, so a redelivered event, or
two deliveries racing, change nothing twice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Column, Float, MetaData, String, Table, insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from services.errors import BadRequest

SIGNATURE_HEADER = "Stripe-Signature"
DEFAULT_TOLERANCE_S = 300


class BadSignature(BadRequest):
    """The delivery is not signed with our secret, or is too old (400)."""


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header value for ``payload``."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(
    payload: bytes,
    header: str | None,
    secret: str,
    *,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> dict[str, Any]:
    """The event in ``payload`` if ``header`` signs it with ``secret`` recently enough."""
    if not header:
        raise BadSignature(f"missing {SIGNATURE_HEADER} header")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        name, sep, value = item.strip().partition("=")
        if sep:
            parts.setdefault(name, []).append(value)
    try:
        t = int(parts["t"][0])
    except (KeyError, ValueError):
        raise BadSignature("signature header has no timestamp") from None
    expected = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, v) for v in parts.get("v1", [])):
        raise BadSignature("no v1 signature matches this payload")
    if abs((time.time() if now is None else now) - t) > tolerance_s:
        raise BadSignature("signature timestamp is outside the tolerance (a replay?)")
    try:
        event = json.loads(payload)
    except ValueError:
        raise BadSignature("payload is not JSON") from None
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise BadSignature("payload is not an event with an id")
    return event


def inbox_table(metadata: MetaData, name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("event_id", String(255), primary_key=True),
        Column("type", String(128), nullable=False),
        Column("received_at", Float, nullable=False),
    )


class WebhookInbox:
    """Verifies deliveries and hands each event id to ``handler`` exactly once."""

    def __init__(
        self,
        engine: Engine,
        table: Table,
        secret: str,
        handler: Callable[[Connection, dict[str, Any]], None],
        *,
        tolerance_s: int = DEFAULT_TOLERANCE_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.table = table
        self.secret = secret
        self.handler = handler
        self.tolerance_s = tolerance_s
        self.clock = clock

    def receive(self, payload: bytes, header: str | None) -> bool:
        """Verify and process one delivery; False when the event was already processed."""
        event = verify(payload, header, self.secret, tolerance_s=self.tolerance_s)
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(self.table).values(
                        event_id=event["id"], type=str(event.get("type")), received_at=self.clock()
                    )
                )
                self.handler(conn, event)
        except IntegrityError:
            return False
        return True
