"""Ride-sharing traffic: 300 simulated drivers and a rider demand curve from real trips.

First a few rides go through the HTTP API end to end (batched positions, quote, request,
accept, arrive, start, complete with its charge, ratings, a rate-limited flood and an
expired quote). Then ``services.rides.simulate`` drives a rides service on a simulated
clock through the busiest two hours of the real Chicago taxi trips
(``$BLUEPRINT_SHARED_DATA/rides/chicago_taxi_trips.csv``), shaped like their hourly demand,
with 300 drivers starting at real pickup points. Its events reach the lake through the app's
emitter (timestamped on the simulated clock); its trips live in their own SQLite file so
the API's timers never see simulated times. The summary prints match time p99, the
pickup-ETA error against pickup times drawn from real trip speeds (``simulate.PickupTruth``,
independent of the prediction), the surge cells the asset promoted and the dispatch
replay's verdict.
Without the real data it says so and simulates nothing.
"""

from __future__ import annotations

import json
import random
import time

from pipelines.workload import WorkloadContext

DRIVERS = 300
REQUESTS = 200
HOURS = 2


def _real_trips() -> list[dict]:
    import polars as pl

    from models.booking_data import shared_data_dir

    path = shared_data_dir() / "rides" / "chicago_taxi_trips.csv"
    df = pl.read_csv(path, infer_schema_length=20_000).drop_nulls(
        ["pickup_latitude", "pickup_longitude", "dropoff_latitude", "dropoff_longitude"]
    )
    df = df.filter(
        (pl.col("trip_seconds") > 60)
        & (
            (pl.col("pickup_latitude") != pl.col("dropoff_latitude"))
            | (pl.col("pickup_longitude") != pl.col("dropoff_longitude"))
        )
    )
    return [
        {
            "hour": r["trip_start_hour"],
            "pickup": (r["pickup_latitude"], r["pickup_longitude"]),
            "dropoff": (r["dropoff_latitude"], r["dropoff_longitude"]),
            "trip_s": float(r["trip_seconds"]),
            "area": r["pickup_community_area"],
        }
        for r in df.iter_rows(named=True)
    ]


def _http_rides(ctx: WorkloadContext) -> dict:
    c = ctx.client
    drivers = {f"driver{i}": {"X-API-Key": ctx.api_key(f"driver{i}")} for i in range(3)}
    rider = {"X-API-Key": ctx.api_key("rider-http")}
    for i, h in enumerate(drivers.values()):
        pts = [{"lat": 41.8837 + 0.001 * i, "lng": -87.6289}]
        c.post("/rides/drivers/me/locations", json={"points": pts}, headers=h).raise_for_status()
    out = {"http_completed": 0, "flood_429": 0}
    for _ in range(3):
        q = c.post(
            "/rides/quotes",
            json={
                "pickup": {"lat": 41.8837, "lng": -87.6289},
                "dropoff": {"lat": 41.8950, "lng": -87.62},
            },
            headers=rider,
        ).json()
        r = c.post("/rides/trips", json={"quote_id": q["id"]}, headers=rider)
        if r.status_code != 201:
            continue
        trip = r.json()
        h = next(v for k, v in drivers.items() if k == trip["driver_id"])
        for step in ("accept", "arrive", "start", "complete"):
            c.post(f"/rides/trips/{trip['id']}/{step}", headers=h).raise_for_status()
        c.post(f"/rides/trips/{trip['id']}/rating", json={"stars": 5}, headers=rider)
        out["http_completed"] += 1
    flood = drivers["driver0"]
    for _ in range(30):
        pts = {"points": [{"lat": 41.8837, "lng": -87.6289}]}
        if c.post("/rides/drivers/me/locations", json=pts, headers=flood).status_code == 429:
            out["flood_429"] += 1
    return out


class RidesWorkload:
    name = "rides"
    order = 45

    def run(self, ctx: WorkloadContext) -> None:
        from services.rides.locations import MemoryIndex
        from services.rides.settings import RidesSettings
        from services.rides.simulate import PickupTruth, demand_from_trips, run
        from services.rides.system import build

        facts = _http_rides(ctx)
        ctx.facts[self.name] = facts
        try:
            trips = _real_trips()
        except FileNotFoundError:
            facts["source"] = "real trips absent: no simulation"
            ctx.log("rides: real trips absent; simulated nothing")
            return
        rng = random.Random(ctx.rng.randint(0, 2**31))
        asks = demand_from_trips(trips, max(50, int(REQUESTS * ctx.scale)), HOURS, rng)
        starts = [rng.choice(trips)["pickup"] for _ in range(DRIVERS)]
        db = ctx.settings.data_dir / "db" / "rides_sim.sqlite"
        db.parent.mkdir(parents=True, exist_ok=True)
        sim_settings = ctx.settings.model_copy(update={"database_url": f"sqlite:///{db}"})

        class SimClock:
            now = time.time()

            def __call__(self) -> float:
                return self.now

        clock = SimClock()
        conf = RidesSettings(
            location_rate=1e6,
            location_burst=1e6,
            stale_after_s=450.0,
            position_sample_s=299.0,
            app_sweeper=False,
        )
        emitter = ctx.client.app.state.emitter
        svc = build(sim_settings, emitter, conf=conf, clock=clock, index=MemoryIndex())
        t0 = time.perf_counter()
        try:
            sim = run(svc, clock, asks, starts, rng, truth=PickupTruth(trips))
            facts.update(sim.summary())
            facts["safety"] = svc.safety()
            facts["charges"] = len(svc.local_gateway.charges_by("trip"))
        finally:
            svc.close()
        emitter.flush()
        facts["source"] = f"{len(asks)} real trips over the busiest {HOURS} h, {DRIVERS} drivers"
        facts["wall_s"] = round(time.perf_counter() - t0, 1)
        ctx.log(
            f"    rides: {facts['source']}: {facts.get('completed', 0)} completed, "
            f"{facts.get('charges', 0)} charges, safety {facts['safety']} ({facts['wall_s']} s)"
        )

    def summarize(self, ctx: WorkloadContext) -> list[str]:
        from models.registry import ModelRegistry
        from services.rides.surge import NAME, SurgeBoard

        f = ctx.facts.get(self.name, {})
        board = SurgeBoard(ModelRegistry(ctx.settings.models_dir))
        board.refresh(force=True)
        top = sorted(board.table().items(), key=lambda kv: -kv[1])[:3]
        verdict_path = ctx.settings.lake_dir / "rides_policy_replay" / "verdict.json"
        verdict = "replay not run"
        if verdict_path.exists():
            verdict = json.loads(verdict_path.read_text(encoding="utf-8"))["reason"]
        return [
            f"{f.get('source')}: {f.get('requests')} requests, {f.get('completed')} completed, "
            f"{f.get('cancelled')} cancelled, {f.get('no_driver')} no driver; "
            f"{f.get('http_completed')} rides over HTTP, {f.get('flood_429')} flood 429s",
            f"match time p99 {f.get('match_p99_s')} s (dispatch p99 {f.get('dispatch_p99_ms')} "
            f"ms); pickup-ETA error against real trip speeds MAE {f.get('pickup_eta_mae_s')} s, "
            f"MAPE {f.get('pickup_eta_mape')} over {f.get('pickup_legs')} legs; "
            f"safety {f.get('safety')}; charges {f.get('charges')}",
            f"surge ({NAME} {board.version or 'none'}): {len(board.table())} cells above 1.0, "
            f"top {', '.join(f'{c} x{m:.2f}' for c, m in top) or 'none'}",
            f"dispatch replay: {verdict}",
        ]


WORKLOAD = RidesWorkload()
