"""Booking traffic: real hotel bookings replayed through the API.

Two hotels (the data set's resort and city hotels) get a year of inventory, and a sample of
the real 2017 bookings is replayed with their lead times, stays, party sizes and deposit
types (non-refundable deposits book the ``saver`` plan): search, hold with an
``Idempotency-Key`` (some clients retry it), confirm through the local gateway (which drops
some answers after charging, so clients retry with the same key), and cancel when the
real booking was cancelled. Some holds are abandoned with a short hold time and lapse. A few
real OpenFlights routes from Lisbon sell seats too. The summary prints occupancy, revenue,
refunds, lapses, charges counted at the gateway, and the cancellation model's AUC.
Without the real data it replays generated bookings instead and says so.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

from pipelines.workload import WorkloadContext

HOTELS = {"Resort Hotel": ("resort", "Algarve"), "City Hotel": ("city", "Lisbon")}
ROOMS = 30
DAYS = 400


def _sample(ctx: WorkloadContext, n: int) -> tuple[list[dict], str]:
    import polars as pl

    from models.booking_data import load_bookings, prepare, synthetic_bookings

    try:
        frame = load_bookings().filter(pl.col("arrival_date_year") == 2017)
        source = "real bookings (2017 arrivals)"
    except FileNotFoundError:
        frame = prepare(synthetic_bookings(2000, seed=1))
        source = "generated bookings (real data absent)"
    rows = frame.sample(n=min(n, frame.height), seed=ctx.rng.randint(0, 2**31)).to_dicts()
    return rows, source


class BookingWorkload:
    name = "booking"
    order = 40

    def run(self, ctx: WorkloadContext) -> None:
        admin = ctx.admin_headers
        svc = ctx.client.app.state.services["booking"]
        today = svc.today()
        for hotel, (pid, city) in HOTELS.items():
            ctx.client.post(
                "/booking/admin/properties",
                headers=admin,
                json={"id": pid, "name": hotel, "city": city},
            )
            ctx.client.post(
                "/booking/admin/units",
                headers=admin,
                json={"id": f"{pid}-std", "name": "Standard", "max_guests": 4, "property_id": pid},
            )
            r = ctx.client.put(
                f"/booking/admin/units/{pid}-std/inventory",
                headers=admin,
                json={
                    "start": str(today),
                    "end": str(today + timedelta(days=DAYS)),
                    "total": ROOMS,
                    "price_cents": 9000,
                },
            )
            r.raise_for_status()
        flights = self._flights(ctx, today)
        users = [{"X-API-Key": ctx.api_key(f"guest{i}")} for i in range(12)]
        rows, source = _sample(ctx, max(60, int(240 * ctx.scale)))
        gw = getattr(svc, "local_gateway", None)
        c = dict.fromkeys(
            [
                "searches",
                "holds",
                "sold_out",
                "retried",
                "confirmed",
                "conflicts",
                "declined",
                "cancelled",
                "abandoned",
                "errors",
                "seats",
            ],
            0,
        )
        for i, b in enumerate(rows):
            user = users[i % len(users)]
            pid = HOTELS[b["hotel"]][0]
            arrival = today + timedelta(days=1 + b["lead_time"] % (DAYS - 40))
            nights = max(1, min(30, b["nights"]))
            guests = max(1, min(4, b["adults"] + b["children"] + b["babies"]))
            q = {
                "place": HOTELS[b["hotel"]][1],
                "check_in": str(arrival),
                "check_out": str(arrival + timedelta(days=nights)),
                "guests": guests,
            }
            ctx.client.get("/booking/search", params=q, headers=user)
            c["searches"] += 1
            body = {
                "unit_id": f"{pid}-std",
                "check_in": q["check_in"],
                "check_out": q["check_out"],
                "guests": guests,
                "plan": "saver" if b["deposit_type"] == "Non Refund" else "flex",
            }
            abandon = ctx.rng.random() < 0.08
            if abandon:
                body["hold_seconds"] = 1
            key = {**user, "Idempotency-Key": f"hold-{i}"}
            held = ctx.client.post("/booking/holds", json=body, headers=key)
            if held.status_code == 409:
                c["sold_out"] += 1
                continue
            if held.status_code != 201:
                c["errors"] += 1
                continue
            c["holds"] += 1
            if ctx.rng.random() < 0.1:  # a client that did not hear the answer retries
                again = ctx.client.post("/booking/holds", json=body, headers=key)
                c["retried"] += 1
                c["errors"] += again.json().get("id") != held.json()["id"]
            if abandon:
                c["abandoned"] += 1
                continue
            hold_id = held.json()["id"]
            if gw is not None and ctx.rng.random() < 0.15:
                gw.chaos.inject(ctx.rng.choice(["drop", "timeout", "fail"]), 1)
            conf = {**user, "Idempotency-Key": f"confirm-{i}"}
            done = ctx.client.post(f"/booking/holds/{hold_id}/confirm", json={}, headers=conf)
            if done.status_code == 503:
                done = ctx.client.post(f"/booking/holds/{hold_id}/confirm", json={}, headers=conf)
            if done.status_code == 200:
                c["confirmed"] += 1
            elif done.status_code == 402:
                c["declined"] += 1
            else:
                c["conflicts"] += 1
                continue
            if b["is_canceled"]:
                r = ctx.client.post(f"/booking/reservations/{hold_id}/cancel", headers=user)
                c["cancelled"] += r.status_code == 200
        c["seats"] = self._fly(ctx, flights, users, today)
        deadline = time.monotonic() + 5
        while svc.totals().get("held", 0) and time.monotonic() < deadline:
            time.sleep(0.2)  # abandoned holds lapse, released by the sweeper
        svc.reconcile()
        totals = svc.totals()
        sold = sum(
            r["total"] - r["available"]
            for pid, _ in HOTELS.values()
            for r in svc.calendar(f"{pid}-std", today, today + timedelta(days=DAYS))
        )
        charges = gw.charges_by("booking") if gw is not None else {}
        confirmed_ids = self._confirmed_ids(svc)
        ctx.facts[self.name] = {
            **c,
            "source": source,
            "bookings": len(rows),
            "lapsed": totals.get("lapsed", 0),
            "revenue_eur": totals["revenue_cents"] / 100,
            "refunds_eur": totals["refunded_cents"] / 100,
            "occupancy": sold / (len(HOTELS) * ROOMS * DAYS),
            "double_charges": sum(1 for n in charges.values() if n > 1),
            "charged_without_booking": len(set(charges) - confirmed_ids),
            "oversold": svc.oversold(),
        }
        f = ctx.facts[self.name]
        ctx.log(
            f"    replayed {len(rows)} {source}: {c['holds']} holds, {c['sold_out']} sold out, "
            f"{c['confirmed']} confirmed, {c['cancelled']} cancelled, {f['lapsed']} lapsed; "
            f"double charges {f['double_charges']}"
        )

    @staticmethod
    def _confirmed_ids(svc) -> set[str]:
        from sqlalchemy import select

        from services.booking.store import reservations

        r = reservations.c
        with svc.read_engine.connect() as conn:
            rows = conn.execute(
                select(r.id).where(
                    (r.status == "confirmed")
                    | ((r.status == "cancelled") & (r.pay_state == "captured"))
                )
            ).all()
        return {row.id for row in rows}

    @staticmethod
    def _flights(ctx: WorkloadContext, today) -> list[str]:
        from models.booking_data import shared_data_dir
        from services.booking.catalog import read_routes

        folder = shared_data_dir() / "booking" / "openflights"
        if not (folder / "routes.dat").exists():
            return []
        units = []
        for route in read_routes(folder, source="LIS", limit=8):
            for cabin, seats in route.cabins().items():
                unit = f"{route.unit_prefix}:{cabin}"
                r = ctx.client.post(
                    "/booking/admin/units",
                    headers=ctx.admin_headers,
                    json={
                        "id": unit,
                        "kind": "seat",
                        "max_guests": 1,
                        "name": f"{route.airline} {cabin}",
                        "place": f"{route.source}-{route.dest}",
                    },
                )
                if r.status_code != 201:
                    continue
                ctx.client.put(
                    f"/booking/admin/units/{unit}/inventory",
                    headers=ctx.admin_headers,
                    json={
                        "start": str(today),
                        "end": str(today + timedelta(days=30)),
                        "total": seats,
                        "price_cents": 9000,
                    },
                )
                units.append(unit)
        return units

    @staticmethod
    def _fly(ctx: WorkloadContext, units: list[str], users: list[dict], today) -> int:
        booked = 0
        for i, unit in enumerate(units[:8]):
            day = today + timedelta(days=1 + i)
            body = {
                "unit_id": unit,
                "check_in": str(day),
                "check_out": str(day + timedelta(days=1)),
                "guests": 2,
                "qty": 2,
            }
            held = ctx.client.post("/booking/holds", json=body, headers=users[i % len(users)])
            if held.status_code == 201:
                r = ctx.client.post(
                    f"/booking/holds/{held.json()['id']}/confirm",
                    json={},
                    headers=users[i % len(users)],
                )
                booked += 2 * (r.status_code == 200)
        return booked

    def summarize(self, ctx: WorkloadContext) -> list[str]:
        f = ctx.facts.get(self.name, {})
        meta = ctx.settings.models_dir / "booking_cancel" / "meta.json"
        auc = "not trained"
        if meta.exists():
            m = json.loads(meta.read_text(encoding="utf-8"))
            auc = f"{m['auc']:.3f} (logistic baseline {m['baseline_auc']:.3f})"
        return [
            f"replayed {f.get('bookings')} {f.get('source')}: {f.get('holds')} holds, "
            f"{f.get('sold_out')} sold out, {f.get('confirmed')} confirmed, {f.get('cancelled')} "
            f"cancelled, {f.get('lapsed')} lapsed, {f.get('retried')} retried holds, "
            f"{f.get('seats')} flight seats",
            f"occupancy {f.get('occupancy', 0):.1%}, revenue {f.get('revenue_eur')} EUR, refunds "
            f"{f.get('refunds_eur')} EUR; double charges {f.get('double_charges')}, charges "
            f"without a booking {f.get('charged_without_booking')}, oversold nights "
            f"{f.get('oversold')}; cancellation model AUC {auc}",
        ]


WORKLOAD = BookingWorkload()
