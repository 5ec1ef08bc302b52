"""The admin side of the catalogue: properties, units, inventory and prices, and the calendar
of one unit. Inventory already held or sold stays sold whatever the new totals."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, insert, select

from services.booking import rules
from services.booking.store import inventory, properties, units
from services.booking.views import SYSTEM, iso_day
from services.errors import Conflict, Invalid, NotFound

if TYPE_CHECKING:
    from services.booking.service import BookingService


def add_property(
    svc: BookingService, property_id: str, name: str, city: str, country: str = ""
) -> dict:
    row = {
        "id": property_id,
        "name": name,
        "city": city,
        "country": country,
        "created_at": svc.clock(),
    }
    with svc.engine.begin() as conn:
        if conn.execute(select(properties.c.id).where(properties.c.id == property_id)).first():
            raise Conflict(f"property {property_id!r} exists")
        conn.execute(insert(properties).values(**row))
    svc.emitter.emit(SYSTEM, "property_added", entity=property_id, attrs={"city": city})
    return row


def add_unit(
    svc: BookingService,
    unit_id: str,
    kind: str,
    name: str,
    max_guests: int,
    *,
    property_id: str | None = None,
    place: str | None = None,
    refundable_days: int = 1,
) -> dict:
    if kind not in ("room", "seat"):
        raise Invalid("kind must be room or seat")
    rules.check_guests(max_guests)
    with svc.engine.begin() as conn:
        if property_id is not None:
            prop = conn.execute(select(properties).where(properties.c.id == property_id)).first()
            if prop is None:
                raise NotFound(f"no property {property_id!r}")
            place = prop.city
        if not place:
            raise Invalid("a unit needs a property or a place")
        if conn.execute(select(units.c.id).where(units.c.id == unit_id)).first():
            raise Conflict(f"unit {unit_id!r} exists")
        row = {
            "id": unit_id,
            "kind": kind,
            "place": place,
            "property_id": property_id,
            "name": name,
            "max_guests": max_guests,
            "refundable_days": refundable_days,
        }
        conn.execute(insert(units).values(**row))
    return row


def set_inventory(
    svc: BookingService, unit_id: str, start: date, end: date, total: int, price_cents: int
) -> int:
    """Set count and price for each day in [start, end); held and sold stay sold."""
    if end <= start or (end - start).days > 731:
        raise Invalid("the range must be 1 to 731 days, end after start")
    if not 0 <= total <= 10_000:
        raise Invalid("total must be 0 to 10000")
    rules.check_price(price_cents)
    inv = inventory.c
    with svc.engine.begin() as conn:
        if conn.execute(select(units.c.id).where(units.c.id == unit_id)).first() is None:
            raise NotFound(f"no unit {unit_id!r}")
        existing = {
            r.day: r
            for r in conn.execute(
                select(inventory).where(
                    and_(
                        inv.unit_id == unit_id,
                        inv.day >= start.toordinal(),
                        inv.day < end.toordinal(),
                    )
                )
            )
        }
        new_rows = []
        for day in range(start.toordinal(), end.toordinal()):
            old = existing.get(day)
            if old is None:
                new_rows.append(
                    {
                        "unit_id": unit_id,
                        "day": day,
                        "total": total,
                        "available": total,
                        "price_cents": price_cents,
                    }
                )
                continue
            sold = old.total - old.available
            if total < sold:
                raise Conflict(f"{iso_day(day)} already has {sold} sold or held; total {total}")
            conn.execute(
                inventory.update()
                .where(
                    and_(
                        inv.unit_id == unit_id,
                        inv.day == day,
                        inv.total - inv.available == sold,
                    )
                )
                .values(total=total, available=total - sold, price_cents=price_cents)
            )
        if new_rows:
            conn.execute(insert(inventory), new_rows)
    svc.live.publish({"unit_id": unit_id, "change": "inventory"})
    svc.emitter.emit(
        SYSTEM,
        "inventory_set",
        entity=unit_id,
        attrs={"days": (end - start).days, "total": total, "price_cents": price_cents},
    )
    return (end - start).days


def load_inventory(svc: BookingService, rows: list[dict[str, Any]]) -> None:
    """Bulk insert of fresh inventory rows (loaders; no existing rows for these days)."""
    with svc.engine.begin() as conn:
        for i in range(0, len(rows), 5000):
            conn.execute(insert(inventory), rows[i : i + 5000])


def calendar(svc: BookingService, unit_id: str, start: date, end: date) -> list[dict[str, Any]]:
    inv = inventory.c
    with svc.read_engine.connect() as conn:
        rows = conn.execute(
            select(inventory)
            .where(
                and_(
                    inv.unit_id == unit_id,
                    inv.day >= start.toordinal(),
                    inv.day < end.toordinal(),
                )
            )
            .order_by(inv.day)
        ).all()
    return [
        {
            "date": iso_day(r.day),
            "total": r.total,
            "available": r.available,
            "price_cents": r.price_cents,
        }
        for r in rows
    ]
