"""Booking benchmark: safety under races and gateway chaos, contended throughput, search
latency over a year of inventory for 1,000 properties, and the cancellation model's AUC.

- Safety: 200 clients race for the last 5 rooms of a night and for the last 5 seats of a
  flight, 20 times each, on SQLite and on PostgreSQL (``BLUEPRINT_BENCH_PG_URL`` if set,
  else a private server started for the run, ``benchmarks.private_servers``);
  then confirms through a gateway that drops, times out and fails. Overbooked = winners
  beyond the inventory plus rows the database holds oversold; double charges = bookings with
  more than one net charge at the gateway plus charges without a confirmed booking.
- Contended throughput: ``LOAD_CLIENTS`` threads book the same night of one room type over
  HTTP on loopback (uvicorn in this process): the full API (hold, then confirm with payment
  through the local gateway) against a bare FastAPI route that books with the same single
  conditional UPDATE, same load generator and database file, interleaved rounds, median
  ratio (``benchmarks.api_vs_bare``). Also the service alone (no HTTP) against a bare loop
  of that UPDATE.
- Search: p99 of ``BookingService.search`` over 1,000 generated properties (3 room types,
  365 nights each) on SQLite, random city, dates and party.
- AUC: the cancellation model on 2017 arrivals, trained before (skipped without the data).

Last line: ``RESULT booking_overbooked=<n> booking_double_charges=<n> booking_confirm_ratio=<x>
booking_search_p99_ms=<x> booking_cancel_auc=<x>``.
"""

from __future__ import annotations

import os
import random
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx

from benchmarks.api_vs_bare import (
    LOAD_CLIENTS,
    ROUNDS,
    Comparison,
    api_keys,
    compare,
    machine_load,
    pg_schema,
    serve,
    settings,
)

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ["BLUEPRINT_RATE_LIMIT_PER_MINUTE"] = "100000000"

CLIENTS = 200
LAST = 5
RACES = 20
SERVICE_SECONDS = 4.0


def _emitter(base):
    from warehouse.emitter import Emitter, SpoolTransport

    return Emitter(SpoolTransport(base, name=f"bench-{uuid.uuid4().hex[:6]}"))


def _service(base, **conf):
    from services.booking.settings import BookingSettings
    from services.booking.system import build

    return build(base, _emitter(base), conf=BookingSettings(app_sweeper=False, **conf))


# -- safety ----------------------------------------------------------------------------------


def races(svc) -> tuple[int, int]:
    """(overbooked, double charges) over RACES races on a room and on a flight."""
    from services.errors import Conflict

    today = svc.today()
    svc.add_property("race", "Last Rooms", "Faro")
    svc.add_unit("race-dbl", "room", "Double", 2, property_id="race")
    svc.add_unit("TP-LIS-OPO:economy", "seat", "TP economy", 1, place="LIS-OPO")
    units = ("race-dbl", "TP-LIS-OPO:economy")
    for unit in units:
        svc.set_inventory(
            unit, today + timedelta(days=1), today + timedelta(days=RACES + 1), LAST, 5000
        )
    over = 0
    for r in range(RACES):
        day = today + timedelta(days=r + 1)
        for unit in units:
            barrier = threading.Barrier(CLIENTS)

            def client(i: int, unit=unit, day=day, barrier=barrier) -> bool:
                barrier.wait()
                try:
                    held = svc.hold(f"u{i}", unit, day, day + timedelta(days=1), 1)
                except Conflict:
                    return False
                return svc.confirm(f"u{i}", held["id"])["status"] == "confirmed"

            with ThreadPoolExecutor(CLIENTS) as pool:
                wins = sum(pool.map(client, range(CLIENTS)))
            over += max(0, wins - LAST)
    over += svc.oversold()
    return over, double_charges(svc)


def double_charges(svc) -> int:
    from sqlalchemy import select

    from services.booking.store import reservations

    charges = svc.local_gateway.charges_by("booking")
    r = reservations.c
    with svc.read_engine.connect() as conn:
        paid = {row.id for row in conn.execute(select(r.id).where(r.pay_state == "captured"))}
    return sum(1 for n in charges.values() if n > 1) + len(set(charges) - paid)


def chaos(svc, n: int = 150) -> tuple[int, int]:
    from services.errors import DomainError

    rng = random.Random(11)
    gw = svc.local_gateway
    svc.gateway.sleep = lambda _s: None
    today = svc.today()
    svc.add_property("chaos", "Chaos Inn", "Evora")
    svc.add_unit("chaos-dbl", "room", "Double", 2, property_id="chaos")
    svc.set_inventory("chaos-dbl", today, today + timedelta(days=60), 20, 7000)
    for i in range(n):
        day = today + timedelta(days=1 + i % 50)
        try:
            hold = svc.hold(f"c{i}", "chaos-dbl", day, day + timedelta(days=1), 1)
        except DomainError:
            continue
        for kind in ("drop", "timeout", "fail"):
            if rng.random() < 0.4:
                gw.chaos.inject(kind, rng.randint(1, 8))
        for _ in range(4):
            try:
                svc.confirm(f"c{i}", hold["id"])
                break
            except DomainError as exc:
                if exc.status != 503:
                    break
        gw.chaos.clear()
    svc.reconcile()
    return svc.oversold(), double_charges(svc)


def safety(root: Path) -> tuple[int, int, dict]:
    detail = {}
    svc = _service(settings(root / "sqlite"))
    o1, d1 = races(svc)
    o2, d2 = chaos(svc)
    svc.close()
    detail["sqlite"] = (o1 + o2, d1 + d2)
    with pg_schema("bench_booking") as url:
        if url is not None:
            svc = _service(settings(root / "pg", url))
            detail["postgresql"] = races(svc)
            svc.close()
    over = sum(o for o, _ in detail.values())
    dbl = sum(d for _, d in detail.values())
    return over, dbl, detail


# -- contended throughput --------------------------------------------------------------------


def bare_app(engine):
    """The baseline: one route, one conditional UPDATE, same table and database."""
    from fastapi import FastAPI

    from services.booking.store import take

    app = FastAPI()

    @app.post("/book/{unit_id}/{day}")
    def book(unit_id: str, day: int) -> dict:
        with engine.begin() as conn:
            return {"ok": take(conn, unit_id, day, 1)}

    return app


def throughput(root: Path) -> tuple[Comparison, float, float]:
    """The API against the bare route (interleaved rounds), then the service alone and a bare
    loop of the UPDATE, per second."""
    from services.app import create_app
    from services.booking.store import take

    conf = settings(root / "load")
    svc = _service(conf)
    today = svc.today()
    day = today + timedelta(days=3)
    svc.add_property("busy", "Busy", "Lisbon")
    for unit in ("busy-api", "busy-bare", "busy-svc", "busy-loop"):
        svc.add_unit(unit, "room", unit, 2, property_id="busy")
        svc.set_inventory(unit, day, day + timedelta(days=ROUNDS), 10_000, 9000)
    # Each round books a night of its own (10,000 rooms at most per night): all clients
    # still contend for one night, and neither side runs out of rooms.
    night = [day]

    # The service layer alone against a bare loop of the UPDATE, same threads (first: the
    # app's shutdown closes the service).
    def svc_rate() -> float:
        counts = [0] * LOAD_CLIENTS
        stop = time.monotonic() + SERVICE_SECONDS

        def worker(k: int) -> None:
            while time.monotonic() < stop:
                held = svc.hold(f"s{k}", "busy-svc", day, day + timedelta(days=1), 1)
                counts[k] += svc.confirm(f"s{k}", held["id"])["status"] == "confirmed"

        start = time.monotonic()
        with ThreadPoolExecutor(LOAD_CLIENTS) as pool:
            list(pool.map(worker, range(LOAD_CLIENTS)))
        return sum(counts) / (time.monotonic() - start)

    def loop_rate() -> float:
        counts = [0] * LOAD_CLIENTS
        stop = time.monotonic() + SERVICE_SECONDS

        def worker(k: int) -> None:
            while time.monotonic() < stop:
                with svc.engine.begin() as conn:
                    counts[k] += take(conn, "busy-loop", day.toordinal(), 1)

        start = time.monotonic()
        with ThreadPoolExecutor(LOAD_CLIENTS) as pool:
            list(pool.map(worker, range(LOAD_CLIENTS)))
        return sum(counts) / (time.monotonic() - start)

    service_rate, bare_loop = svc_rate(), loop_rate()
    app = create_app(conf, _emitter(conf), only=["booking"], services={"booking": svc})
    api = serve(app)
    keys = api_keys(api.url, conf.admin_api_key, "user")

    def full(client: httpx.Client, k: int) -> int:
        h = {"X-API-Key": keys[k]}
        body = {
            "unit_id": "busy-api",
            "check_in": str(night[0]),
            "check_out": str(night[0] + timedelta(days=1)),
            "guests": 1,
        }
        held = client.post("/booking/holds", json=body, headers=h)
        if held.status_code != 201:
            return 0
        done = client.post(f"/booking/holds/{held.json()['id']}/confirm", json={}, headers=h)
        return int(done.status_code == 200)

    def next_night(r: int) -> None:
        night[0] = day + timedelta(days=r)

    bare = serve(bare_app(svc.engine))
    cmp = compare(
        api.url,
        full,
        bare.url,
        lambda c, _k: int(c.post(f"/book/busy-bare/{night[0].toordinal()}").json()["ok"]),
        before_round=next_night,
    )
    bare.stop()
    api.stop()
    svc.close()
    return cmp, service_rate, bare_loop


# -- search ----------------------------------------------------------------------------------


def search_p99(root: Path, properties: int = 1000, queries: int = 500) -> tuple[float, int, float]:
    """(wall p99 ms, queries that found offers, p99 of the CPU ms each query's thread used)."""
    from services.booking.catalog import CITIES, generate_hotels, inventory_rows

    svc = _service(settings(root / "search"))
    today = svc.today()
    rows = []
    for hotel in generate_hotels(properties, seed=5):
        svc.add_property(hotel.id, hotel.name, hotel.city)
        for suffix, (name, guests, count, price) in hotel.rooms.items():
            unit = f"{hotel.id}-{suffix}"
            svc.add_unit(unit, "room", name, guests, property_id=hotel.id)
            rows.extend(inventory_rows(unit, today, 365, count, price))
        if len(rows) > 200_000:
            svc.load_inventory(rows)
            rows = []
    svc.load_inventory(rows)
    rng = random.Random(9)
    times, cpu, found = [], [], 0
    for _ in range(queries):
        start = today + timedelta(days=rng.randint(0, 330))
        t0, c0 = time.perf_counter(), time.thread_time()
        offers = svc.search(
            "room",
            rng.choice(CITIES),
            start,
            start + timedelta(days=rng.randint(1, 14)),
            rng.randint(1, 4),
            max_price=rng.choice([None, 500_000, 2_000_000]),
        )
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        found += bool(offers)
    svc.close()
    times.sort()
    cpu.sort()
    p99 = int(0.99 * (len(times) - 1))
    return times[p99], found, cpu[p99]


def cancel_auc() -> tuple[float | None, float | None]:
    from models.booking_cancel import evaluate
    from models.booking_data import load_bookings

    try:
        frame = load_bookings()
    except FileNotFoundError as exc:
        print(f"cancellation AUC skipped: {exc}")
        return None, None
    ev = evaluate(frame)
    return ev.auc, ev.baseline_auc


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-booking-") as tmp:
        root = Path(tmp)
        over, dbl, detail = safety(root)
        print(f"safety: overbooked={over} double_charges={dbl} per database {detail}")
        cmp, service_rate, bare_loop = throughput(root)
        ratio = cmp.ratio
        print(
            f"throughput: API hold+confirm {cmp.api_per_s:.1f}/s vs bare UPDATE route "
            f"{cmp.bare_per_s:.1f}/s -> ratio {ratio:.3f} (median of {cmp.rounds} interleaved "
            f"rounds); service alone {service_rate:.1f}/s vs bare UPDATE loop "
            f"{bare_loop:.1f}/s -> ratio {service_rate / bare_loop:.3f}"
        )
        print(
            f"throughput CPU: {cmp.api_cpu_ms:.2f} ms per API booking vs "
            f"{cmp.bare_cpu_ms:.2f} ms per bare-route booking -> ratio {cmp.cpu_ratio:.3f} "
            f"({machine_load()})"
        )
        p99, found, cpu_p99 = search_p99(root)
        print(
            f"search: p99 {p99:.1f} ms over 1000 properties x 3 room types x 365 nights "
            f"({found}/500 queries found offers; p99 of CPU per query {cpu_p99:.1f} ms)"
        )
    auc, base = cancel_auc()
    if auc is not None:
        print(f"cancellation AUC {auc:.4f} (logistic-regression baseline {base:.4f})")
    print(
        f"RESULT booking_overbooked={over} booking_double_charges={dbl} "
        f"booking_confirm_ratio={ratio:.3f} booking_search_p99_ms={p99:.1f} "
        f"booking_cancel_auc={'nan' if auc is None else f'{auc:.4f}'}"
    )


if __name__ == "__main__":
    main()
