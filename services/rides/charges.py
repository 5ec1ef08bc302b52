"""Charging a trip's fare or cancellation fee exactly once, through the payment adapter.

The trip records each phase before and after its call, under keys derived from the trip
(``<trip>:auth``, ``<trip>:capture``), so a crash or a lost answer anywhere leaves a state
that ``reconcile`` finishes by repeating the same keyed call; the gateway answers a repeat
with the first result, never a second charge.

``charging`` (set in the same UPDATE that completes or cancels the trip) -> authorise ->
``authorized`` -> capture -> ``captured``; a declined card ends in ``declined``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.engine import Engine

from services.payments.adapter import (
    GatewayError,
    GatewayUnavailable,
    PaymentDeclined,
    PaymentGateway,
)
from services.rides.settings import RidesSettings
from services.rides.store import trips
from services.rides.trips import set_pay
from warehouse.emitter import Emitter

log = logging.getLogger(__name__)


class Charges:
    def __init__(
        self,
        engine: Engine,
        read_engine: Engine,
        gateway: PaymentGateway,
        emitter: Emitter,
        conf: RidesSettings,
    ) -> None:
        self.engine = engine
        self.read_engine = read_engine
        self.gateway = gateway
        self.emitter = emitter
        self.conf = conf
        self.local_gateway = None  # the in-process local gateway, when one runs (tests count)

    def _row(self, trip_id: str):
        with self.read_engine.connect() as conn:
            return conn.execute(select(trips).where(trips.c.id == trip_id)).one()

    def settle(self, trip_id: str, crash_hook: Callable[[str], None] = lambda _p: None) -> str:
        """Drive one trip's payment as far as the gateway allows; the state reached."""
        row = self._row(trip_id)
        if row.pay_state == "charging":
            try:
                intent = self.gateway.authorize(
                    row.charge_cents,
                    row.currency,
                    idempotency_key=f"{trip_id}:auth",
                    payment_method=row.payment_method,
                    metadata={"trip": trip_id},
                )
            except PaymentDeclined:
                set_pay(self.engine, trip_id, ("charging",), "declined")
                self.emitter.emit("rides", "payment_declined", actor=row.rider, entity=trip_id)
                return "declined"
            except GatewayUnavailable:
                return "charging"
            set_pay(self.engine, trip_id, ("charging",), "authorized", intent_id=intent.id)
            crash_hook("authorized")
            row = self._row(trip_id)
        if row.pay_state == "authorized":
            try:
                self.gateway.capture(row.intent_id, idempotency_key=f"{trip_id}:capture")
            except GatewayUnavailable:
                return "authorized"
            except GatewayError as exc:
                if "succeeded" not in str(exc):
                    raise
            if set_pay(self.engine, trip_id, ("authorized",), "captured"):
                self.emitter.emit(
                    "rides",
                    "charged",
                    actor=row.rider,
                    entity=trip_id,
                    attrs={"amount_cents": row.charge_cents, "status": row.status},
                )
            return "captured"
        return row.pay_state or "none"

    def reconcile(self) -> dict[str, int]:
        """Finish every payment left mid-way (after a crash or a lost answer)."""
        t = trips.c
        with self.read_engine.connect() as conn:
            ids = (
                conn.execute(select(t.id).where(t.pay_state.in_(["charging", "authorized"])))
                .scalars()
                .all()
            )
        out: dict[str, int] = {}
        for trip_id in ids:
            try:
                state = self.settle(trip_id)
            except Exception:  # noqa: BLE001 - one bad payment must not stop the others
                log.exception("could not settle trip %s", trip_id)
                state = "error"
            out[f"pay_{state}"] = out.get(f"pay_{state}", 0) + 1
        return out

    def close(self) -> None:
        self.gateway.close()
