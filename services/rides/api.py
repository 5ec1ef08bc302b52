"""Ride-sharing routes under ``/rides``: driver positions (WebSocket, or batched HTTP),
quotes, trip requests, the trip lifecycle, ratings and the served surge table.

A driver is any user who sends positions; a rider any user who requests. The WebSocket
``/rides/drivers/ws`` takes the same API key headers as HTTP; each message is a position
``{"lat": .., "lng": .., "ts": ..}`` or a batch ``{"points": [...]}``, and each answer is
``{"cell": .., "accepted": n, "offer": <trip id or null>}`` or ``{"error": <status>,
"detail": ..}`` (bad positions and floods are answered, the socket stays open).
"""

from __future__ import annotations

import json
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Header, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field, ValidationError

from services.deps import CurrentUser, api_key_from, system_service
from services.errors import DomainError
from services.rides.service import MAX_BATCH_POINTS, RidesService

router = APIRouter(prefix="/rides", tags=["rides"])
RidesDep = Annotated[RidesService, system_service("rides")]
TripId = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_]+$")]
IdemKey = Annotated[
    str | None, Header(alias="Idempotency-Key", max_length=255, pattern=r"^[\x21-\x7e]+$")
]


class Point(BaseModel):
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lng: float = Field(ge=-180, le=180, allow_inf_nan=False)


class Fix(Point):
    ts: float | None = Field(default=None, description="epoch seconds; unset: now")


class LocationsIn(BaseModel):
    points: list[Fix] = Field(min_length=1, max_length=MAX_BATCH_POINTS)


class LocationAck(BaseModel):
    cell: str = Field(description="the H3 resolution-9 cell the newest position is in")
    accepted: int
    offer: str | None = Field(description="a trip offered to this driver, waiting for accept")


class QuoteIn(BaseModel):
    pickup: Point
    dropoff: Point


class QuoteOut(BaseModel):
    id: str
    fare_cents: int
    surge: float
    distance_m: float
    duration_s: float
    pickup_eta_s: float | None = Field(description="the nearest free driver; null: none near")
    expires_at: str = Field(description="the quote holds until then (UTC)")


class TripIn(BaseModel):
    quote_id: TripId
    payment_method: str = Field(default="pm_card_visa", max_length=64, pattern=r"^pm_[A-Za-z_]+$")


class Trip(BaseModel):
    id: str
    rider: str
    driver_id: str | None
    status: str
    pickup: Point
    dropoff: Point
    fare_cents: int
    surge: float
    currency: str
    pickup_eta_s: float | None
    offer_expires_at: str | None
    requested_at: str | None
    accepted_at: str | None
    ended_at: str | None
    cancelled_by: str | None
    cancel_reason: str | None
    charge_cents: int
    payment: str | None
    rider_rating: int | None
    driver_rating: int | None


class Declined(BaseModel):
    id: str
    status: str


class RatingIn(BaseModel):
    stars: int = Field(ge=1, le=5)


class DriverRating(BaseModel):
    driver_id: str
    rating: float | None
    ratings: int


class Offline(BaseModel):
    driver_id: str
    online: bool


class SurgeOut(BaseModel):
    version: str | None
    cells: dict[str, float] = Field(description="H3 resolution-7 cell -> multiplier (> 1)")


@router.post("/drivers/me/locations", response_model=LocationAck, operation_id="rides_locations")
def locations(body: LocationsIn, svc: RidesDep, user: CurrentUser) -> LocationAck:
    """Batched positions (the fallback when a WebSocket cannot stay open); 429 on floods."""
    points = [(p.lat, p.lng, p.ts) for p in body.points]
    return LocationAck(**svc.update_locations(user.user_id, points))


@router.post("/drivers/me/offline", response_model=Offline, operation_id="rides_offline")
def offline(svc: RidesDep, user: CurrentUser) -> Offline:
    """Leave the map (409 while on a trip)."""
    svc.go_offline(user.user_id)
    return Offline(driver_id=user.user_id, online=False)


@router.get("/drivers/{driver_id}/rating", response_model=DriverRating, operation_id="rides_rating")
def rating(driver_id: TripId, svc: RidesDep, _user: CurrentUser) -> DriverRating:
    return DriverRating(**svc.driver_rating(driver_id))


@router.post("/quotes", response_model=QuoteOut, status_code=201, operation_id="rides_quote")
def quote(body: QuoteIn, svc: RidesDep, user: CurrentUser) -> QuoteOut:
    """An upfront fare (base + distance + time, x the pickup cell's surge) and pickup ETA."""
    q = svc.quote(
        user.user_id, (body.pickup.lat, body.pickup.lng), (body.dropoff.lat, body.dropoff.lng)
    )
    return QuoteOut(**q)


@router.post("/trips", response_model=Trip, status_code=201, operation_id="rides_request")
def request_trip(body: TripIn, svc: RidesDep, user: CurrentUser, key: IdemKey = None) -> Trip:
    """Request with a quote: 409 if it expired (the answer names a new quote), 503 when no
    driver is free nearby."""
    result, _ = svc.idempotent(
        user.user_id,
        key,
        "POST",
        "/rides/trips",
        body.model_dump(),
        lambda: svc.request(user.user_id, body.quote_id, body.payment_method),
    )
    return Trip(**result)


@router.get("/trips", response_model=list[Trip], operation_id="rides_trips")
def list_trips(svc: RidesDep, user: CurrentUser) -> list[Trip]:
    """The caller's trips, as rider or driver, newest first."""
    return [Trip(**t) for t in svc.list_trips(user.user_id)]


@router.get("/trips/{trip_id}", response_model=Trip, operation_id="rides_trip")
def get_trip(trip_id: TripId, svc: RidesDep, user: CurrentUser) -> Trip:
    return Trip(**svc.get(user.user_id, trip_id))


@router.post("/trips/{trip_id}/accept", response_model=Trip, operation_id="rides_accept")
def accept(trip_id: TripId, svc: RidesDep, user: CurrentUser) -> Trip:
    """The offered driver accepts within the offer window (409 once it lapsed)."""
    return Trip(**svc.accept(user.user_id, trip_id))


@router.post("/trips/{trip_id}/decline", response_model=Declined, operation_id="rides_decline")
def decline(trip_id: TripId, svc: RidesDep, user: CurrentUser) -> Declined:
    """The offered driver passes; the next driver gets the offer."""
    return Declined(**svc.decline(user.user_id, trip_id))


@router.post("/trips/{trip_id}/arrive", response_model=Trip, operation_id="rides_arrive")
def arrive(trip_id: TripId, svc: RidesDep, user: CurrentUser) -> Trip:
    return Trip(**svc.arrive(user.user_id, trip_id))


@router.post("/trips/{trip_id}/start", response_model=Trip, operation_id="rides_start")
def start(trip_id: TripId, svc: RidesDep, user: CurrentUser) -> Trip:
    return Trip(**svc.start_trip(user.user_id, trip_id))


@router.post("/trips/{trip_id}/complete", response_model=Trip, operation_id="rides_complete")
def complete(trip_id: TripId, svc: RidesDep, user: CurrentUser) -> Trip:
    """End the ride; the quoted fare is charged once."""
    return Trip(**svc.complete(user.user_id, trip_id))


@router.post("/trips/{trip_id}/cancel", response_model=Trip, operation_id="rides_cancel")
def cancel(trip_id: TripId, svc: RidesDep, user: CurrentUser) -> Trip:
    """Rider or driver cancels; a rider pays the documented fee after the grace period."""
    return Trip(**svc.cancel(user.user_id, trip_id))


@router.post("/trips/{trip_id}/rating", response_model=Trip, operation_id="rides_rate")
def rate(trip_id: TripId, body: RatingIn, svc: RidesDep, user: CurrentUser) -> Trip:
    """After completion, rider and driver rate each other once."""
    return Trip(**svc.rate(user.user_id, trip_id, body.stars))


@router.get("/surge", response_model=SurgeOut, operation_id="rides_surge")
def surge(svc: RidesDep, _user: CurrentUser) -> SurgeOut:
    """The served surge table (reloaded when the surge asset promotes a new one)."""
    table = svc.surge.table()
    return SurgeOut(version=svc.surge.version, cells=table)


@router.websocket("/drivers/ws")
async def driver_socket(websocket: WebSocket) -> None:
    """Positions streamed by a driver app (see the module docstring for the messages)."""
    key = api_key_from(websocket.headers.get("x-api-key"), websocket.headers.get("authorization"))
    principal = None
    if key is not None:
        principal = await anyio.to_thread.run_sync(websocket.app.state.keystore.resolve, key)
    if principal is None:
        await websocket.close(code=4401, reason="an API key is required")
        return
    svc: RidesService = websocket.app.state.services["rides"]
    await websocket.accept()
    try:
        while True:
            text = await websocket.receive_text()
            try:
                message = json.loads(text)
                body = LocationsIn.model_validate(
                    message
                    if isinstance(message, dict) and "points" in message
                    else {"points": [message]}
                )
                ack = await anyio.to_thread.run_sync(
                    svc.update_locations,
                    principal.user_id,
                    [(p.lat, p.lng, p.ts) for p in body.points],
                )
                await websocket.send_json(ack)
            except json.JSONDecodeError:
                await websocket.send_json({"error": 400, "detail": "a message must be JSON"})
            except ValidationError as exc:
                await websocket.send_json({"error": 422, "detail": str(exc.errors()[0]["msg"])})
            except DomainError as exc:
                await websocket.send_json({"error": exc.status, "detail": exc.message})
    except WebSocketDisconnect:
        return


async def startup(app) -> None:
    svc: RidesService = app.state.services["rides"]
    if svc.conf.app_sweeper:
        await anyio.to_thread.run_sync(svc.start)


async def shutdown(app) -> None:
    await anyio.to_thread.run_sync(app.state.services["rides"].stop)
