"""Ride sharing's tables (SQLAlchemy Core; SQLite by default, PostgreSQL scaled out).

The one-driver-one-trip rule lives in the database, twice over:

- ``rides_drivers.trip_id`` is the driver's reservation. It is only ever set by
  ``UPDATE ... WHERE trip_id IS NULL`` (checked by rows affected), and a unique index on it
  means no two drivers can hold the same trip.
- A partial unique index on ``rides_trips.driver_id`` over the active statuses means no
  driver can be on two active trips, even if code forgot the first rule.

Trip statuses change only through ``UPDATE ... WHERE status = <expected>``
(``services.rides.trips``), so two racing transitions cannot both win.
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
    text,
)

from services.payments.idempotency import idempotency_table

metadata = MetaData()

#: A trip holds its driver in these statuses (``requested`` with a driver: an open offer).
ACTIVE = ("requested", "accepted", "arriving", "in_progress")
_ACTIVE_SQL = "status IN ('requested', 'accepted', 'arriving', 'in_progress')"

drivers = Table(
    "rides_drivers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("online", Boolean, nullable=False, default=True),
    Column("trip_id", String(40), nullable=True),
    Column("rating_sum", Integer, nullable=False, default=0),
    Column("rating_n", Integer, nullable=False, default=0),
    Column("cancels", Integer, nullable=False, default=0),
    Column("updated_at", Float, nullable=False),
    Index(
        "ux_rides_drivers_trip",
        "trip_id",
        unique=True,
        sqlite_where=text("trip_id IS NOT NULL"),
        postgresql_where=text("trip_id IS NOT NULL"),
    ),
)

quotes = Table(
    "rides_quotes",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("rider", String(64), nullable=False),
    Column("pickup_lat", Float, nullable=False),
    Column("pickup_lng", Float, nullable=False),
    Column("drop_lat", Float, nullable=False),
    Column("drop_lng", Float, nullable=False),
    Column("distance_m", Float, nullable=False),
    Column("duration_s", Float, nullable=False),
    Column("surge", Float, nullable=False),
    Column("fare_cents", Integer, nullable=False),
    Column("pickup_eta_s", Float, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("trip_id", String(40), nullable=True),
)

trips = Table(
    "rides_trips",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("rider", String(64), nullable=False),
    Column("driver_id", String(64), nullable=True),
    # requested -> accepted -> arriving -> in_progress -> completed; -> cancelled
    Column("status", String(16), nullable=False),
    Column("quote_id", String(40), nullable=False),  # a no-driver trip frees its quote
    Column("pickup_lat", Float, nullable=False),
    Column("pickup_lng", Float, nullable=False),
    Column("drop_lat", Float, nullable=False),
    Column("drop_lng", Float, nullable=False),
    Column("pickup_cell", String(16), nullable=False),
    Column("fare_cents", Integer, nullable=False),
    Column("surge", Float, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("payment_method", String(64), nullable=False),
    Column("offers", Integer, nullable=False, default=0),
    Column("tried", Text, nullable=False, default=""),  # drivers who declined or timed out
    Column("pickup_eta_s", Float, nullable=True),  # predicted for the driver who accepted
    Column("offer_expires", Float, nullable=True),
    Column("requested_at", Float, nullable=False),
    Column("offered_at", Float, nullable=True),
    Column("accepted_at", Float, nullable=True),
    Column("arrived_at", Float, nullable=True),
    Column("started_at", Float, nullable=True),
    Column("ended_at", Float, nullable=True),
    Column("cancelled_by", String(8), nullable=True),  # rider | driver | system
    Column("cancel_reason", String(64), nullable=True),
    Column("charge_cents", Integer, nullable=False, default=0),
    # payment: None -> charging -> authorized -> captured ; charging -> declined
    Column("pay_state", String(16), nullable=True),
    Column("intent_id", String(64), nullable=True),
    Column("rider_rating", Integer, nullable=True),  # the rider's stars for the driver
    Column("driver_rating", Integer, nullable=True),  # the driver's stars for the rider
    Column("notified", Text, nullable=False, default=""),
    Index(
        "ux_rides_trips_driver_active",
        "driver_id",
        unique=True,
        sqlite_where=text(f"driver_id IS NOT NULL AND {_ACTIVE_SQL}"),
        postgresql_where=text(f"driver_id IS NOT NULL AND {_ACTIVE_SQL}"),
    ),
    Index("ix_rides_trips_rider", "rider"),
    Index("ix_rides_trips_status", "status", "offer_expires"),
    Index("ix_rides_trips_pay", "pay_state"),
)

idempotency = idempotency_table(metadata, "rides_idempotency")
