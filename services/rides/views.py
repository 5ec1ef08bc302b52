"""How trips and quotes look to clients (absolute UTC times, nested points)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def _iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat()


def trip_view(row: Any) -> dict[str, Any]:
    m = dict(row._mapping)
    return {
        "id": m["id"],
        "rider": m["rider"],
        "driver_id": m["driver_id"],
        "status": m["status"],
        "pickup": {"lat": m["pickup_lat"], "lng": m["pickup_lng"]},
        "dropoff": {"lat": m["drop_lat"], "lng": m["drop_lng"]},
        "fare_cents": m["fare_cents"],
        "surge": m["surge"],
        "currency": m["currency"],
        "pickup_eta_s": m["pickup_eta_s"],
        "offer_expires_at": _iso(m["offer_expires"]) if m["status"] == "requested" else None,
        "requested_at": _iso(m["requested_at"]),
        "accepted_at": _iso(m["accepted_at"]),
        "ended_at": _iso(m["ended_at"]),
        "cancelled_by": m["cancelled_by"],
        "cancel_reason": m["cancel_reason"],
        "charge_cents": m["charge_cents"],
        "payment": m["pay_state"],
        "rider_rating": m["rider_rating"],
        "driver_rating": m["driver_rating"],
    }


def quote_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "fare_cents": row["fare_cents"],
        "surge": row["surge"],
        "distance_m": round(row["distance_m"], 1),
        "duration_s": round(row["duration_s"], 1),
        "pickup_eta_s": None if row["pickup_eta_s"] is None else round(row["pickup_eta_s"], 1),
        "expires_at": _iso(row["expires_at"]),
    }
