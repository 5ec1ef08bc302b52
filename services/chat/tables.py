"""The messaging tables (SQLAlchemy Core; SQLite by default, PostgreSQL scaled out).

A conversation is a log: every message, edit, delete and membership change is a row of
``chat_messages`` under the next ``seq`` of its conversation, taken from
``chat_conversations.last_seq`` in the same transaction that inserts the row. Cursors are
per device and per conversation. Times are UNIX seconds.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from services.outbox import batch_table

metadata = MetaData()

conversations = Table(
    "chat_conversations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(8), nullable=False),  # direct | group
    Column("title", String(200), nullable=True),
    Column("created_by", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("encrypted", Boolean, nullable=False, default=False),
    Column("retention_s", Float, nullable=True),  # None: kept for ever
    Column("last_seq", Integer, nullable=False, default=0),
    Column("purged_through", Integer, nullable=False, default=0),
    # The sorted pair of a one-to-one conversation, so two users have at most one.
    Column("direct_key", String(140), nullable=True, unique=True),
)

members = Table(
    "chat_members",
    metadata,
    Column("conv_id", String(32), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("joined_seq", Integer, primary_key=True),
    Column("left_seq", Integer, nullable=True),  # None: still a member
    Column("role", String(8), nullable=False, default="member"),
    Index("ix_chat_members_user", "user_id"),
)

messages = Table(
    "chat_messages",
    metadata,
    Column("conv_id", String(32), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("sender", String(64), nullable=False),
    Column("device", String(64), nullable=True),
    Column("client_id", String(64), nullable=True),
    Column("body", Text, nullable=True),  # JSON; None once deleted or purged
    Column("ref_seq", Integer, nullable=True),  # what an edit or a delete applies to
    Column("created_at", Float, nullable=False),
    Column("edited_at", Float, nullable=True),
    Column("deleted", Boolean, nullable=False, default=False),
    UniqueConstraint("conv_id", "sender", "client_id", name="uq_chat_messages_client_id"),
)

devices = Table(
    "chat_devices",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("device_id", String(64), primary_key=True),
    Column("public_key", String(200), nullable=True),
    Column("created_at", Float, nullable=False),
    Column("last_seen", Float, nullable=True),
)

cursors = Table(
    "chat_cursors",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("device_id", String(64), primary_key=True),
    Column("conv_id", String(32), primary_key=True),
    Column("delivered_seq", Integer, nullable=False, default=0),
    Column("read_seq", Integer, nullable=False, default=0),
    Column("updated_at", Float, nullable=False),
    Index("ix_chat_cursors_conv", "conv_id"),
)

# Device-to-device envelopes (key shares of encrypted conversations): kept until the
# receiving device acknowledges them, as Signal keeps a queue per device.
device_inbox = Table(
    "chat_device_inbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(64), nullable=False),
    Column("device_id", String(64), nullable=False),
    Column("sender", String(64), nullable=False),
    Column("sender_device", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Index("ix_chat_device_inbox_to", "user_id", "device_id"),
)

# Lake events committed with the writes that caused them, until they are in the spool.
outbox = batch_table(metadata, "chat_outbox")
