"""The shop's tables (SQLAlchemy Core; SQLite by default, PostgreSQL scaled out).

Money is always an integer count of minor units (pence, cents) with its currency. Stock lives
in ``shop_stock``, one row per variant and warehouse, with the ledger's running totals; the
database itself refuses any row that breaks conservation (``received - sold + returned =
on_hand``) or sells what is not there (``0 <= reserved <= on_hand``). Every movement is one
conditional UPDATE plus one ``shop_ledger`` row in the same transaction (``services.shop.
inventory``), so the ledger and the counters cannot drift apart.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from services.outbox import cursor_table
from services.payments.idempotency import idempotency_table
from services.payments.webhooks import inbox_table

metadata = MetaData()

categories = Table(
    "shop_categories",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("parent_id", Integer, ForeignKey("shop_categories.id"), nullable=True),
    Column("name", String(120), nullable=False),
    # "/1/4/" : ids from the root, so a subtree is one prefix match
    Column("path", String(400), nullable=False),
    UniqueConstraint("parent_id", "name", name="uq_shop_category_name"),
    Index("ix_shop_categories_path", "path"),
)

products = Table(
    "shop_products",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("seller_id", String(64), nullable=False),
    Column("title", String(300), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("category_id", Integer, ForeignKey("shop_categories.id"), nullable=False),
    Column("category_path", String(400), nullable=False),
    Column("attributes", Text, nullable=False, default="{}"),  # JSON, typed values
    Column("currency", String(3), nullable=False),
    Column("min_price", BigInteger, nullable=False, default=0),  # lowest variant price
    Column("rating_sum", Integer, nullable=False, default=0),
    Column("rating_count", Integer, nullable=False, default=0),
    Column("rating", Float, nullable=False, default=0.0),  # rating_sum / rating_count
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", Float, nullable=False),
    Index("ix_shop_products_seller", "seller_id"),
    Index("ix_shop_products_category", "category_path"),
    Index("ix_shop_products_price", "min_price", "id"),
)

# Attribute values flattened for filters and facets: (product, name, value as text).
product_attrs = Table(
    "shop_product_attrs",
    metadata,
    Column("product_id", Integer, ForeignKey("shop_products.id"), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
    Index("ix_shop_product_attrs_nv", "name", "value", "product_id"),
)

variants = Table(
    "shop_variants",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("product_id", Integer, ForeignKey("shop_products.id"), nullable=False),
    Column("sku", String(96), nullable=False, unique=True),
    Column("attributes", Text, nullable=False, default="{}"),
    Column("price", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    CheckConstraint("price >= 0", name="ck_shop_variant_price"),
    Index("ix_shop_variants_product", "product_id"),
)

warehouses = Table(
    "shop_warehouses",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("country", String(64), nullable=False),
    Column("priority", Integer, nullable=False, default=0),
)

stock = Table(
    "shop_stock",
    metadata,
    Column("variant_id", Integer, ForeignKey("shop_variants.id"), primary_key=True),
    Column("warehouse_id", String(32), ForeignKey("shop_warehouses.id"), primary_key=True),
    Column("received", BigInteger, nullable=False, default=0),
    Column("sold", BigInteger, nullable=False, default=0),
    Column("returned", BigInteger, nullable=False, default=0),
    Column("on_hand", BigInteger, nullable=False, default=0),
    Column("reserved", BigInteger, nullable=False, default=0),
    CheckConstraint("received - sold + returned = on_hand", name="ck_shop_stock_conserved"),
    CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="ck_shop_stock_never_oversold"),
)

ledger = Table(
    "shop_ledger",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("variant_id", Integer, nullable=False),
    Column("warehouse_id", String(32), nullable=False),
    Column("kind", String(12), nullable=False),  # receipt reserve release sale return
    Column("qty", BigInteger, nullable=False),
    Column("ref", String(64), nullable=False),
    Column("ts", Float, nullable=False),
    CheckConstraint("qty > 0", name="ck_shop_ledger_positive"),
    Index("ix_shop_ledger_variant", "variant_id", "warehouse_id"),
)

carts = Table(
    "shop_carts",
    metadata,
    Column("owner", String(96), primary_key=True),  # a customer id, or "guest:<token>"
    Column("variant_id", Integer, ForeignKey("shop_variants.id"), primary_key=True),
    Column("qty", Integer, nullable=False),
    Column("updated_at", Float, nullable=False),
    CheckConstraint("qty > 0", name="ck_shop_cart_qty"),
)

guest_carts = Table(
    "shop_guest_carts",
    metadata,
    # The token's SHA-256: the token is the guest's only credential, so it is never stored.
    Column("token_hash", String(64), primary_key=True),
    Column("created_at", Float, nullable=False),
    Column("merged_into", String(64)),  # the customer who took it over at login
)

checkouts = Table(
    "shop_checkouts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("customer", String(64), nullable=False),
    Column("country", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("lines", Text, nullable=False),  # JSON: the priced lines, fixed at reservation
    # reserved -> ordered | released | expired | failed
    Column("status", String(12), nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("created_at", Float, nullable=False),
    # None -> authorizing -> captured (the order) ; -> declined ; -> voiding -> voided (a
    # charge with no order, given back in full by a refund)
    Column("pay_state", String(12), nullable=True),
    Column("pay_attempt", Integer, nullable=False, default=0),
    # The payment method of the charge in flight: settling repeats exactly that call.
    Column("pay_method", String(64), nullable=True),
    Column("intent_id", String(64), nullable=True),
    Column("order_id", String(40), nullable=True),
    Index("ix_shop_checkouts_sweep", "status", "expires_at"),
    Index("ix_shop_checkouts_pay", "pay_state"),
)

reservations = Table(
    "shop_reservations",
    metadata,
    Column("checkout_id", String(40), ForeignKey("shop_checkouts.id"), primary_key=True),
    Column("variant_id", Integer, primary_key=True),
    Column("warehouse_id", String(32), primary_key=True),
    Column("qty", BigInteger, nullable=False),
)

orders = Table(
    "shop_orders",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("customer", String(64), nullable=False),
    Column("checkout_id", String(40), nullable=True, unique=True),
    Column("status", String(20), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("refunded", BigInteger, nullable=False, default=0),
    Column("currency", String(3), nullable=False),
    Column("intent_id", String(64), nullable=True),  # the payment reference
    Column("source", String(12), nullable=False, default="checkout"),  # checkout | history
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    CheckConstraint("refunded >= 0 AND refunded <= amount", name="ck_shop_order_refund"),
    Index("ix_shop_orders_customer", "customer", "created_at"),
    Index("ix_shop_orders_status", "status"),
)

order_lines = Table(
    "shop_order_lines",
    metadata,
    Column("order_id", String(40), ForeignKey("shop_orders.id"), primary_key=True),
    Column("variant_id", Integer, primary_key=True),
    Column("warehouse_id", String(32), primary_key=True),
    Column("product_id", Integer, nullable=False),
    Column("seller_id", String(64), nullable=False),
    Column("qty", BigInteger, nullable=False),
    Column("unit_price", BigInteger, nullable=False),
    Index("ix_shop_order_lines_seller", "seller_id"),
    Index("ix_shop_order_lines_product", "product_id"),
)

shipments = Table(
    "shop_shipments",
    metadata,
    # One per seller of an order, written at its first fulfilment step (until then every
    # shipment is in the order's state); the order's state is derived from them.
    Column("order_id", String(40), ForeignKey("shop_orders.id"), primary_key=True),
    Column("seller_id", String(64), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("refunded", BigInteger, nullable=False, default=0),
    Column("updated_at", Float, nullable=False),
    CheckConstraint("refunded >= 0 AND refunded <= amount", name="ck_shop_shipment_refund"),
)

order_events = Table(
    "shop_order_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_id", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("note", String(500), nullable=False, default=""),
    Column("ts", Float, nullable=False),
    Index("ix_shop_order_events_order", "order_id", "id"),
)

refunds = Table(
    "shop_refunds",
    metadata,
    Column("id", String(48), primary_key=True),  # also the gateway idempotency key
    Column("order_id", String(40), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("state", String(12), nullable=False),  # pending | done | voided
    Column("created_at", Float, nullable=False),
    Index("ix_shop_refunds_state", "state"),
)

reviews = Table(
    "shop_reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("product_id", Integer, ForeignKey("shop_products.id"), nullable=False),
    Column("customer", String(64), nullable=False),
    Column("rating", Integer, nullable=False),
    Column("body", Text, nullable=False, default=""),
    Column("status", String(12), nullable=False, default="visible"),  # visible | hidden
    Column("reports", Integer, nullable=False, default=0),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("product_id", "customer", name="uq_shop_review_once"),
    CheckConstraint("rating BETWEEN 1 AND 5", name="ck_shop_review_rating"),
)

review_reports = Table(
    "shop_review_reports",
    metadata,
    Column("review_id", Integer, ForeignKey("shop_reviews.id"), primary_key=True),
    Column("reporter", String(64), primary_key=True),
    Column("reason", String(300), nullable=False),
    Column("ts", Float, nullable=False),
)

tickets = Table(
    "shop_tickets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_id", String(40), nullable=False),
    Column("customer", String(64), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("status", String(12), nullable=False),  # open | answered | closed
    Column("created_at", Float, nullable=False),
    Column("first_response_due", Float, nullable=False),
    Column("resolution_due", Float, nullable=False),
    Column("first_response_at", Float, nullable=True),
    Column("closed_at", Float, nullable=True),
    Column("breach_notified", Boolean, nullable=False, default=False),
    Index("ix_shop_tickets_customer", "customer"),
    Index("ix_shop_tickets_order", "order_id"),
)

ticket_messages = Table(
    "shop_ticket_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", Integer, ForeignKey("shop_tickets.id"), nullable=False),
    Column("author", String(64), nullable=False),
    Column("role", String(12), nullable=False),  # customer | seller | admin
    Column("body", Text, nullable=False),
    Column("ts", Float, nullable=False),
)

idempotency = idempotency_table(metadata, "shop_idempotency")
webhook_inbox = inbox_table(metadata, "shop_webhook_inbox")

# Money moved at the gateway, recorded in the transaction that records its outcome.
payments = Table(
    "shop_payments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("checkout_id", String(40), nullable=False),
    Column("order_id", String(40), nullable=True),
    Column("kind", String(12), nullable=False),  # captured | voided | refunded
    Column("amount", BigInteger, nullable=False),
    Column("intent_id", String(64), nullable=True),
    Column("ts", Float, nullable=False),
)

# How far each database log (ledger, order events) has been published to the lake.
outbox = cursor_table(metadata, "shop_outbox")
