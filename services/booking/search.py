"""Availability search: one indexed query per price-filter shape, built once and run with
parameters; its events are spooled in batches (``services.event_spool``)."""

from __future__ import annotations

import functools
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, and_, bindparam, func, select

from services.booking import rules
from services.booking.store import inventory, units
from services.booking.views import iso_day

if TYPE_CHECKING:
    from services.booking.service import BookingService


@functools.cache
def search_query(with_min: bool, with_max: bool) -> Select:
    """The availability query, built once per price filter combination (then executed with
    parameters): units of a kind at a place that fit the party, with ``qty`` free on every
    night of the stay, cheapest first."""
    inv, u = inventory.c, units.c
    total = func.sum(inv.price_cents).label("total")
    q = (
        select(
            u.id,
            u.name,
            u.property_id,
            u.max_guests,
            total,
            func.min(inv.available).label("available"),
        )
        .select_from(units.join(inventory, inv.unit_id == u.id))
        .where(
            and_(
                u.kind == bindparam("kind"),
                u.place == bindparam("place"),
                u.max_guests * bindparam("qty") >= bindparam("guests"),
                inv.day >= bindparam("first"),
                inv.day < bindparam("end"),
            )
        )
        .group_by(u.id, u.name, u.property_id, u.max_guests)
        .having(
            and_(func.count() == bindparam("nights"), func.min(inv.available) >= bindparam("qty"))
        )
        .order_by(total, u.id)
        .limit(bindparam("limit"))
    )
    if with_min:
        q = q.having(total >= bindparam("min_price"))
    if with_max:
        q = q.having(total <= bindparam("max_price"))
    return q


def search(
    svc: BookingService,
    kind: str,
    place: str,
    check_in: date,
    check_out: date,
    guests: int,
    *,
    qty: int = 1,
    min_price: int | None = None,
    max_price: int | None = None,
    limit: int = 50,
    actor: str | None = None,
) -> list[dict[str, Any]]:
    """Units at ``place`` with ``qty`` free every night, cheapest first; prices are totals
    per unit for the stay (flex plan)."""
    first, nights = rules.check_stay(check_in, check_out, svc.today())
    rules.check_guests(guests, qty)
    for name, value in (("min_price", min_price), ("max_price", max_price)):
        if value is not None:
            rules.check_price(value, name)
    q = search_query(min_price is not None, max_price is not None)
    params = {
        "kind": kind,
        "place": place,
        "qty": qty,
        "guests": guests,
        "first": first,
        "end": first + nights,
        "nights": nights,
        "min_price": min_price,
        "max_price": max_price,
        "limit": limit,
    }
    with svc.read_engine.connect() as conn:
        rows = conn.execute(q, params).all()
    offers = [
        {
            "unit_id": r.id,
            "name": r.name,
            "property_id": r.property_id,
            "max_guests": r.max_guests,
            "total_cents": int(r.total),
            "available": int(r.available),
        }
        for r in rows
    ]
    svc.spool.add(
        "searched",
        actor=actor,
        entity=place,
        attrs={
            "kind": kind,
            "first_day": iso_day(first),
            "nights": nights,
            "guests": guests,
            "results": len(offers),
            "min_total_cents": offers[0]["total_cents"] if offers else None,
        },
    )
    return offers
