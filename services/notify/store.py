"""Tables of the notification system (SQLAlchemy Core; SQLite by default, PostgreSQL scaled out).

``deliveries`` is both the delivery-status record and the durable work queue: one row per
(notification, channel) with ``next_attempt_at`` and a lease (``lease_owner``,
``lease_until``). Rows are written in the same transaction as the notification, so accepting
a send and queueing its work cannot come apart (a transactional outbox).
"""

from __future__ import annotations

import time

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from services.db import make_engine
from warehouse.settings import Settings

metadata = MetaData()

users = Table(
    "notify_users",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("email", String(254)),
    Column("phone", String(32)),
    Column("push_token", String(256)),
    Column("timezone", String(64), nullable=False, default="UTC"),
    Column("locale", String(16), nullable=False, default="en"),
    Column("quiet_start", String(5)),  # "HH:MM" local time, inclusive
    Column("quiet_end", String(5)),  # "HH:MM" local time, exclusive
    Column("updated_at", Float, nullable=False),
)

# enabled=False is an opt-out; category "*" applies to every category.
preferences = Table(
    "notify_preferences",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("category", String(64), primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("enabled", Boolean, nullable=False),
)

templates = Table(
    "notify_templates",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("locale", String(16), primary_key=True),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("updated_at", Float, nullable=False),
)

notifications = Table(
    "notify_notifications",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", String(64), nullable=False, index=True),
    Column("category", String(64), nullable=False),
    Column("template", String(64), nullable=False),
    Column("locale", String(16), nullable=False),
    Column("priority", String(8), nullable=False),
    Column("data", Text, nullable=False),
    Column("caller", String(64), nullable=False),
    Column("idem_key", String(200)),
    Column("request_hash", String(64), nullable=False),
    Column("send_at", Float, nullable=False),
    Column("created_at", Float, nullable=False),
    UniqueConstraint("caller", "idem_key", name="uq_notify_idem"),
)

deliveries = Table(
    "notify_deliveries",
    metadata,
    Column("id", String(40), primary_key=True),  # also the provider idempotency key
    Column("notification_id", String(32), index=True),  # NULL for a digest
    Column("user_id", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("category", String(64), nullable=False),
    Column("priority", String(8), nullable=False),
    Column("locale", String(16), nullable=False, default="en"),
    Column("status", String(16), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False),
    Column("lease_owner", String(40)),
    Column("lease_until", Float),
    Column("last_error", Text),
    Column("provider_message_id", String(128)),
    Column("digest_id", String(40)),
    Column("created_at", Float, nullable=False),
    Column("sent_at", Float),
    Column("updated_at", Float, nullable=False),
    Index("ix_notify_deliveries_due", "status", "next_attempt_at"),
    Index("ix_notify_deliveries_user", "user_id", "channel", "created_at"),
    Index("ix_notify_deliveries_provider", "provider_message_id"),
)

inbox = Table(
    "notify_inbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(64), nullable=False, index=True),
    Column("delivery_id", String(40), nullable=False, unique=True),
    Column("category", String(64), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("read_at", Float),
)

# Notification types (a category with a description): subscriptions are per type. A type
# that is not subscribed by default is opt-in; a mandatory one (security) cannot be left.
types = Table(
    "notify_types",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("description", Text, nullable=False),
    Column("default_subscribed", Boolean, nullable=False),
    Column("mandatory", Boolean, nullable=False),
    Column("updated_at", Float, nullable=False),
)

# A user's webhook (a Slack-style incoming webhook, say): the contact of the webhook channel.
webhooks = Table(
    "notify_webhooks",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("url", Text, nullable=False),
    Column("updated_at", Float, nullable=False),
)

CHANNELS = ("email", "sms", "push", "inbox", "webhook")
PRIORITIES = ("low", "normal", "urgent")

# Delivery states. QUEUE_STATES are claimable by a worker once due.
PENDING = "pending"
DIGEST_WAIT = "digest_wait"
SENT = "sent"
DELIVERED = "delivered"
FAILED = "failed"
BOUNCED = "bounced"
DEAD = "dead"
SUPPRESSED = "suppressed"
DIGESTED = "digested"
QUEUE_STATES = (PENDING,)
FINAL_STATES = (SENT, DELIVERED, FAILED, BOUNCED, DEAD, SUPPRESSED, DIGESTED)


def now() -> float:
    return time.time()


def open_store(settings: Settings) -> Engine:
    """The notify engine with its tables created (idempotent)."""
    engine = make_engine(settings, "notify")
    metadata.create_all(engine)
    return engine
