"""Booking routes under ``/booking``: search, holds, confirm, cancel, live availability,
the gateway's webhooks, and the admin API (properties, units, inventory, calendar).

``Idempotency-Key`` on hold, confirm and cancel follows Stripe's rules (same key and body:
the stored answer; a different body: 422; still running: 409), scoped per user.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Annotated, Any, Literal, TypeVar

import anyio.to_thread
from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, Field
from sse_starlette.sse import EventSourceResponse

from services.auth import Principal
from services.booking.rules import MAX_GUESTS, MAX_PRICE_CENTS, MAX_QTY
from services.booking.service import BookingService
from services.deps import AdminUser, CurrentUser, system_service
from services.errors import Invalid

T = TypeVar("T")
router = APIRouter(prefix="/booking", tags=["booking"])
BookingDep = Annotated[BookingService, system_service("booking")]


async def _blocking(call: Callable[..., T], *args: Any) -> T:
    """``call(*args)`` (database and gateway I/O) in a worker thread.

    The routes that book are ``async`` and hop to a thread once, here: a plain ``def`` route
    costs FastAPI two hops (one to run it, one more to validate its answer against
    ``response_model``), and a hold or a confirm is on the hot path of every booking."""
    return await anyio.to_thread.run_sync(call, *args)


async def _once(
    svc: BookingService, user: Principal, key: str | None, path: str, body: Any, run
) -> dict:
    """``run()`` at most once per ``Idempotency-Key`` (``BookingService.idempotent``), in a
    worker thread; its answer, validated once, by the route's ``response_model``."""
    result, _ = await _blocking(svc.idempotent, user.user_id, key, "POST", path, body, run)
    return result


Id = Annotated[str, Field(min_length=1, max_length=96, pattern=r"^[A-Za-z0-9_.:\-]+$")]
Place = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[\w .,'()\-]+$")]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[\w .,'()&/\-]+$")]
Cents = Annotated[int, Field(ge=0, le=MAX_PRICE_CENTS)]
IdemKey = Annotated[
    str | None, Header(alias="Idempotency-Key", max_length=255, pattern=r"^[\x21-\x7e]+$")
]


class Offer(BaseModel):
    unit_id: str
    name: str
    property_id: str | None
    max_guests: int
    total_cents: int
    available: int


class Reservation(BaseModel):
    id: str
    unit_id: str
    check_in: date
    check_out: date
    nights: int
    qty: int
    guests: int
    plan: str
    amount_cents: int
    currency: str
    status: str
    expires_at: str = Field(description="when an unconfirmed hold lapses (UTC, absolute)")
    payment: str | None
    refund_cents: int


class HoldIn(BaseModel):
    unit_id: Id
    check_in: date
    check_out: date
    guests: int = Field(ge=1, le=MAX_GUESTS)
    qty: int = Field(default=1, ge=1, le=MAX_QTY)
    plan: Literal["flex", "saver"] = "flex"
    hold_seconds: int | None = Field(
        default=None, ge=1, le=86400, description="a shorter hold than the default, if wanted"
    )


class ConfirmIn(BaseModel):
    payment_method: str = Field(default="pm_card_visa", max_length=64, pattern=r"^pm_[A-Za-z_]+$")


class ChangeIn(BaseModel):
    check_in: date
    check_out: date
    guests: int | None = Field(default=None, ge=1, le=MAX_GUESTS, description="default: as is")
    payment_method: str = Field(
        default="pm_card_visa",
        max_length=64,
        pattern=r"^pm_[A-Za-z_]+$",
        description="pays the new price of a paid booking (its old payment is refunded)",
    )


class PropertyIn(BaseModel):
    id: Id
    name: Name
    city: Place
    country: Annotated[str, Field(max_length=100, pattern=r"^[\w .,'()\-]*$")] = ""


class UnitIn(BaseModel):
    id: Id
    kind: Literal["room", "seat"] = "room"
    name: Name
    max_guests: int = Field(ge=1, le=MAX_GUESTS)
    property_id: Id | None = None
    place: Place | None = None
    refundable_days: int = Field(default=1, ge=0, le=365)


class InventoryIn(BaseModel):
    start: date
    end: date
    total: int = Field(ge=0, le=10_000)
    price_cents: Cents


class PropertyOut(BaseModel):
    id: str
    name: str
    city: str
    country: str


class UnitOut(BaseModel):
    id: str
    kind: str
    place: str
    property_id: str | None
    name: str
    max_guests: int
    refundable_days: int


class InventoryOut(BaseModel):
    unit_id: str
    days: int


class CalendarDay(BaseModel):
    date: date
    total: int
    available: int
    price_cents: int


class Received(BaseModel):
    processed: bool


@router.get("/search", response_model=list[Offer], operation_id="booking_search")
async def search(
    svc: BookingDep,
    user: CurrentUser,
    place: Annotated[Place, Query()],
    check_in: date,
    check_out: date,
    guests: Annotated[int, Query(ge=1, le=MAX_GUESTS)] = 1,
    kind: Literal["room", "seat"] = "room",
    qty: Annotated[int, Query(ge=1, le=MAX_QTY)] = 1,
    min_price: Annotated[int | None, Query(ge=0, le=MAX_PRICE_CENTS)] = None,
    max_price: Annotated[int | None, Query(ge=0, le=MAX_PRICE_CENTS)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[dict]:
    """Units with room for ``guests`` every night of the stay, cheapest first (totals)."""
    return await _blocking(
        lambda: svc.search(
            kind,
            place,
            check_in,
            check_out,
            guests,
            qty=qty,
            min_price=min_price,
            max_price=max_price,
            limit=limit,
            actor=user.user_id,
        )
    )  # validated once, by response_model


@router.post("/holds", response_model=Reservation, status_code=201, operation_id="booking_hold")
async def hold(body: HoldIn, svc: BookingDep, user: CurrentUser, key: IdemKey = None) -> dict:
    """Take inventory now; the hold lapses at ``expires_at`` unless confirmed."""
    return await _once(
        svc,
        user,
        key,
        "/booking/holds",
        body.model_dump(mode="json"),
        lambda: svc.hold(
            user.user_id,
            body.unit_id,
            body.check_in,
            body.check_out,
            body.guests,
            qty=body.qty,
            plan=body.plan,
            hold_s=body.hold_seconds,
        ),
    )


@router.post("/holds/{hold_id}/confirm", response_model=Reservation, operation_id="booking_confirm")
async def confirm(
    hold_id: Id, body: ConfirmIn, svc: BookingDep, user: CurrentUser, key: IdemKey = None
) -> dict:
    """Pay and convert the hold: 402 declined, 409 lapsed (payment voided), 503 unknown."""
    return await _once(
        svc,
        user,
        key,
        f"/booking/holds/{hold_id}/confirm",
        body.model_dump(),
        lambda: svc.confirm(user.user_id, hold_id, body.payment_method),
    )


@router.post(
    "/reservations/{reservation_id}/cancel",
    response_model=Reservation,
    operation_id="booking_cancel",
)
async def cancel(
    reservation_id: Id, svc: BookingDep, user: CurrentUser, key: IdemKey = None
) -> dict:
    """Release a hold, or cancel a booking with the refund its rate plan allows."""
    return await _once(
        svc,
        user,
        key,
        f"/booking/reservations/{reservation_id}/cancel",
        {},
        lambda: svc.cancel(user.user_id, reservation_id, user.has("admin")),
    )


@router.post(
    "/reservations/{reservation_id}/change",
    response_model=Reservation,
    operation_id="booking_change",
)
async def change(
    reservation_id: Id, body: ChangeIn, svc: BookingDep, user: CurrentUser, key: IdemKey = None
) -> dict:
    """New dates or party for a hold or a paid booking, as one swap: the new nights are taken
    and the old ones released in one transaction, and a paid booking is charged its new price
    once and its old payment refunded. Sold-out new dates change nothing (409); a declined
    payment changes nothing (402)."""
    return await _once(
        svc,
        user,
        key,
        f"/booking/reservations/{reservation_id}/change",
        body.model_dump(mode="json"),
        lambda: svc.change(
            user.user_id,
            reservation_id,
            body.check_in,
            body.check_out,
            guests=body.guests,
            payment_method=body.payment_method,
        ),
    )


@router.get(
    "/reservations/{reservation_id}", response_model=Reservation, operation_id="booking_get"
)
async def get_reservation(reservation_id: Id, svc: BookingDep, user: CurrentUser) -> dict:
    return await _blocking(svc.get, user.user_id, reservation_id, user.has("admin"))


@router.get("/live", operation_id="booking_live", response_class=EventSourceResponse)
async def live(
    request: Request,
    svc: BookingDep,
    user: CurrentUser,
    units: Annotated[str, Query(max_length=2000, pattern=r"^[A-Za-z0-9_.:,\-]+$")],
) -> EventSourceResponse:
    """Server-sent events: a ``change`` for each hold, lapse, release, cancellation or admin
    change of a watched unit (comma-separated ids), within the moment it commits."""
    watched = set(units.split(","))
    queue = svc.live.subscribe()

    async def stream() -> AsyncIterator[dict]:
        try:
            yield {"event": "ready", "data": json.dumps(sorted(watched))}
            while not await request.is_disconnected():
                try:
                    change = await asyncio.wait_for(queue.get(), timeout=1.0)
                except TimeoutError:
                    continue
                if change["unit_id"] in watched:
                    yield {"event": "change", "data": json.dumps(change)}
        finally:
            svc.live.unsubscribe(queue)

    return EventSourceResponse(stream(), ping=15)


@router.post("/webhooks", response_model=Received, operation_id="booking_webhook")
async def webhook(request: Request, svc: BookingDep) -> Received:
    """Gateway events, verified by their ``Stripe-Signature``; repeats are ignored."""
    payload = await request.body()
    signature = request.headers.get("stripe-signature")
    processed = await anyio.to_thread.run_sync(svc.receive_webhook, payload, signature)
    return Received(processed=processed)


@router.post(
    "/admin/properties",
    status_code=201,
    response_model=PropertyOut,
    operation_id="booking_add_property",
)
def add_property(body: PropertyIn, svc: BookingDep, _admin: AdminUser) -> PropertyOut:
    return PropertyOut(**svc.add_property(body.id, body.name, body.city, body.country))


@router.post(
    "/admin/units", status_code=201, response_model=UnitOut, operation_id="booking_add_unit"
)
def add_unit(body: UnitIn, svc: BookingDep, _admin: AdminUser) -> UnitOut:
    return UnitOut(
        **svc.add_unit(
            body.id,
            body.kind,
            body.name,
            body.max_guests,
            property_id=body.property_id,
            place=body.place,
            refundable_days=body.refundable_days,
        )
    )


@router.put(
    "/admin/units/{unit_id}/inventory",
    response_model=InventoryOut,
    operation_id="booking_set_inventory",
)
def set_inventory(
    unit_id: Id, body: InventoryIn, svc: BookingDep, _admin: AdminUser
) -> InventoryOut:
    """Count and price for each day in [start, end); sold and held stay sold."""
    days = svc.set_inventory(unit_id, body.start, body.end, body.total, body.price_cents)
    return InventoryOut(unit_id=unit_id, days=days)


@router.get(
    "/admin/units/{unit_id}/calendar",
    response_model=list[CalendarDay],
    operation_id="booking_calendar",
)
def calendar(
    unit_id: Id, start: date, end: date, svc: BookingDep, _admin: AdminUser
) -> list[CalendarDay]:
    """The inventory calendar: count, available and price per day in [start, end)."""
    if (end - start).days > 731:
        raise Invalid("a calendar spans at most 731 days")
    return [CalendarDay(**d) for d in svc.calendar(unit_id, start, end)]


async def startup(app) -> None:
    svc: BookingService = app.state.services["booking"]
    if svc.conf.app_sweeper:
        svc.start()


async def shutdown(app) -> None:
    app.state.services["booking"].stop()
