"""The local gateway's tables, and the statements of its payment path built once.

Intents, refunds, the webhook outbox (``gateway_events``) and the idempotency keys live in
the gateway's own database, never in a system's store: the gateway stands for a separate
company, and a system learns what it did only from its answers and webhooks.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    insert,
    select,
    update,
)

from services.payments.idempotency import idempotency_table

metadata = MetaData()
intents = Table(
    "gateway_intents",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("amount", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(32), nullable=False),
    Column("capture_method", String(16), nullable=False),
    Column("payment_method", String(64), nullable=True),
    Column("amount_captured", Integer, nullable=False, default=0),
    Column("amount_refunded", Integer, nullable=False, default=0),
    Column("captures", Integer, nullable=False, default=0),
    Column("metadata", Text, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created", Float, nullable=False),
)
refunds = Table(
    "gateway_refunds",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("payment_intent", String(40), nullable=False, index=True),
    Column("amount", Integer, nullable=False),
    Column("created", Float, nullable=False),
)
events = Table(
    "gateway_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("type", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    Column("delivered", Boolean, nullable=False, default=False),
    Column("attempts", Integer, nullable=False, default=0),
)
idempotency = idempotency_table(metadata, "gateway_idempotency")

# Statements of the payment path, built once (executed with parameters).
SELECT_INTENT = select(intents).where(intents.c.id == bindparam("pi"))
INSERT_INTENT = insert(intents)
INSERT_EVENT = insert(events).values(delivered=False, attempts=0)
CAPTURE_ALL = (
    update(intents)
    .where(and_(intents.c.id == bindparam("pi"), intents.c.status == "requires_capture"))
    .values(status="succeeded", amount_captured=intents.c.amount, captures=intents.c.captures + 1)
    .returning(*intents.c)
)
CAPTURE_PART = CAPTURE_ALL.values(amount_captured=bindparam("to_capture"))
CANCEL = (
    update(intents)
    .where(
        and_(
            intents.c.id == bindparam("pi"),
            intents.c.status.in_(
                ["requires_payment_method", "requires_confirmation", "requires_capture"]
            ),
        )
    )
    .values(status="canceled")
    .returning(*intents.c)
)
