"""Shop benchmark: safety under contended checkouts and gateway chaos, contended checkout
throughput against a bare route, faceted search latency at 100,000 products, and the
also-bought recommender's recall against popularity.

- Safety: 200 shoppers check out the last 50 units of one variant at once, 20 times, on
  SQLite and on PostgreSQL (``BLUEPRINT_BENCH_PG_URL`` if set, else a private server started
  for the run, ``benchmarks.private_servers``); then 150 checkouts through a
  gateway that drops answers after charging, times out and fails, with clients retrying
  under the same key (and retrying again after a success whose answer they "lost").
  Oversold = orders beyond the stock plus units sold beyond what was received; ledger
  violations = the store's ledger against its counters plus the lake-style replay of the
  ledger rows (``services.shop.lake_audit``); double charges = checkouts with more than one
  net charge at the gateway plus charges without a paid order.
- Contended throughput: ``LOAD_CLIENTS`` threads buy the same variant over HTTP on loopback
  (uvicorn in this process): the full API (set the cart line, then checkout: reserve, pay
  through the local gateway, create the order) against a bare FastAPI route that sells with
  the same single conditional inventory UPDATE, same load generator and database file,
  interleaved rounds, median ratio (``benchmarks.api_vs_bare``). Also
  printed: the process's CPU time per success of each, and their ratio (steadier than the
  rates when other work shares the machine).
- Search: p99 of ``ShopService.find`` (full text + a filter + facets + sort, first page)
  over the real catalogue plus generated products to 100,000, on SQLite.
- Recall@10 on each customer's last order, trained on the orders before it, against
  popularity (``models.also_bought``; skipped when that module or the data is absent).

Last line: ``RESULT shop_oversold=<n> shop_ledger_violations=<n> shop_double_charges=<n>
shop_checkout_ratio=<x> shop_search_p99_ms=<x> shop_alsobought_recall10=<x>
shop_popularity_recall10=<x>``.
"""

from __future__ import annotations

import os
import random
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from benchmarks.api_vs_bare import (
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

SHOPPERS = 200
UNITS = 50
RACES = int(os.environ.get("SHOP_BENCH_RACES", "20"))
SEARCH_PRODUCTS = 100_000
SEARCH_QUERIES = 400


def _service(base, **conf):
    from services.shop.settings import ShopSettings
    from services.shop.system import build
    from warehouse.emitter import Emitter, SpoolTransport

    emitter = Emitter(SpoolTransport(base, name=f"bench-{uuid.uuid4().hex[:6]}"))
    return build(base, emitter, conf=ShopSettings(app_sweeper=False, **conf))


def _product(svc, code: str, units: int) -> int:
    svc.add_warehouse("uk-1", "United Kingdom", 0)
    p = svc.add_product(
        "bench-seller",
        code=code,
        title=f"Contended {code}",
        category=["Bench"],
        variants_in=[{"sku": code, "price": 999}],
    )
    vid = p["variants"][0]["id"]
    svc.receive_stock(vid, "uk-1", units, "bench-seller", True)
    return vid


# -- safety ----------------------------------------------------------------------------------


def races(svc) -> int:
    """Oversold units over RACES races of SHOPPERS for UNITS."""
    from services.errors import Conflict

    over = 0
    for r in range(RACES):
        v = _product(svc, f"race-{r}", UNITS)
        for i in range(SHOPPERS):
            svc.set_cart_line(f"r{r}-{i}", v, 1)
        barrier = threading.Barrier(SHOPPERS)

        def shopper(i: int, r=r, barrier=barrier) -> bool:
            barrier.wait()
            try:
                return svc.checkout(f"r{r}-{i}", key=f"r{r}-{i}")["status"] == "paid"
            except Conflict:
                return False

        with ThreadPoolExecutor(SHOPPERS) as pool:
            wins = sum(pool.map(shopper, range(SHOPPERS)))
        counts = svc.stock_of(v)
        over += max(0, wins - UNITS) + max(0, counts["sold"] - counts["received"])
    return over


def chaos(svc, n: int = 150) -> None:
    from services.errors import DomainError

    rng = random.Random(11)
    gw = svc.local_gateway
    svc.gateway.sleep = lambda _s: None
    v = _product(svc, "chaos", 100)
    for i in range(n):
        customer, key = f"c{i}", f"chaos-{i}"
        svc.set_cart_line(customer, v, 1)
        for kind in ("drop", "timeout", "fail"):
            if rng.random() < 0.4:
                gw.chaos.inject(kind, rng.randint(1, 8))
        run = lambda c=customer, k=key: svc.checkout(c, key=k)  # noqa: E731
        for _ in range(4):
            try:
                svc.idempotent(customer, key, "POST", "/shop/checkout", {}, run)
                if rng.random() < 0.3:  # the answer was lost on the way: same key again
                    svc.idempotent(customer, key, "POST", "/shop/checkout", {}, run)
                break
            except DomainError as exc:
                if exc.status != 503:
                    break
        gw.chaos.clear()
    svc.clock = lambda: time.time() + svc.conf.reservation_ttl_s + 1
    svc.saga.clock = svc.clock
    svc.sweep()
    svc.reconcile()


def violations(svc) -> int:
    """The store's own audit plus the lake audit's replay of the same ledger rows."""
    import polars as pl
    from sqlalchemy import select

    from services.shop.lake_audit import audit_frames
    from services.shop.store import ledger

    with svc.engine.connect() as conn:
        rows = conn.execute(
            select(
                ledger.c.id, ledger.c.variant_id, ledger.c.warehouse_id, ledger.c.kind, ledger.c.qty
            )
        ).all()
    frame = pl.DataFrame(
        [tuple(r) for r in rows],
        schema=["ledger_id", "variant_id", "warehouse_id", "kind", "qty"],
        orient="row",
    )
    empty = pl.DataFrame(schema={"checkout_id": pl.Utf8, "order_id": pl.Utf8})
    replay = audit_frames(frame, empty, pl.DataFrame(schema={"order_id": pl.Utf8}))
    return len(svc.audit()) + len(replay.violations)


def double_charges(svc) -> int:
    from sqlalchemy import select

    from services.shop.store import checkouts, orders

    charges = svc.local_gateway.charges_by("checkout")
    with svc.engine.connect() as conn:
        paid = {
            r.id
            for r in conn.execute(
                select(checkouts.c.id)
                .select_from(checkouts.join(orders, orders.c.checkout_id == checkouts.c.id))
                .where(checkouts.c.pay_state == "captured")
            )
        }
    return sum(1 for n in charges.values() if n > 1) + len(set(charges) - paid)


def safety(root: Path) -> tuple[int, int, int, dict]:
    detail = {}
    svc = _service(settings(root / "sqlite"))
    over = races(svc)
    chaos(svc)
    detail["sqlite"] = (over, violations(svc), double_charges(svc))
    svc.close()
    with pg_schema("bench_shop") as url:
        if url is not None:
            svc = _service(settings(root / "pg", url))
            over = races(svc)
            detail["postgresql"] = (over, violations(svc), double_charges(svc))
            svc.close()
    totals = [sum(d[i] for d in detail.values()) for i in range(3)]
    return totals[0], totals[1], totals[2], detail


# -- contended throughput --------------------------------------------------------------------


def bare_app(engine, variant_id: int):
    """The baseline: one route, one conditional inventory UPDATE, same table and database."""
    from fastapi import FastAPI
    from sqlalchemy import and_, update

    from services.shop.store import stock

    app = FastAPI()
    s = stock.c

    @app.post("/buy")
    def buy() -> dict:
        with engine.begin() as conn:
            sold = conn.execute(
                update(stock)
                .where(and_(s.variant_id == variant_id, s.on_hand - s.reserved >= 1))
                .values(on_hand=s.on_hand - 1, sold=s.sold + 1)
            ).rowcount
        return {"ok": sold == 1}

    return app


def throughput(root: Path) -> tuple[Comparison, int]:
    """The API against the bare route (interleaved rounds), and the ledger violations the
    API's variant shows afterwards."""
    from services.app import create_app
    from warehouse.emitter import Emitter, SpoolTransport

    conf = settings(root / "load")
    svc = _service(conf)
    api_variant = _product(svc, "busy-api", 10**7)
    bare_variant = _product(svc, "busy-bare", 10**7)
    emitter = Emitter(SpoolTransport(conf, name="bench-app"))
    app = create_app(conf, emitter, only=["shop"], services={"shop": svc})
    api = serve(app)
    keys = api_keys(api.url, conf.admin_api_key, "customer")

    def full(client: httpx.Client, k: int) -> int:
        h = {"X-API-Key": keys[k]}
        client.put(f"/shop/cart/items/{api_variant}", json={"qty": 1}, headers=h)
        return int(client.post("/shop/checkout", json={}, headers=h).status_code == 201)

    bare = serve(bare_app(svc.engine, bare_variant))
    cmp = compare(api.url, full, bare.url, lambda c, _k: int(c.post("/buy").json()["ok"]))
    bare.stop()
    api.stop()
    # The bare route writes no ledger rows by design: only the API's variant is audited.
    bad = len(svc.audit([api_variant]))
    svc.close()
    emitter.close()
    return cmp, bad


# -- search ----------------------------------------------------------------------------------


def search_p99(root: Path) -> tuple[float, int, str]:
    from services.shop import loader

    svc = _service(settings(root / "search"))
    try:
        lines = loader.read_lines()
        source = "the real catalogue"
    except FileNotFoundError:
        lines = loader.synthetic_lines(2000, products=3000, seed=3)
        source = "a generated catalogue (real data absent)"
    loader.seed(svc, lines)
    real = svc.find(limit=1)["total"]
    rng = random.Random(5)
    descriptions = lines["description"].unique().to_list()
    vocab = sorted({w for d in descriptions for w in d.split() if w.isalpha() and len(w) > 2})
    items = []
    for i in range(SEARCH_PRODUCTS - real):
        words = rng.sample(vocab, 4)
        desc = " ".join(words)
        category, attrs = loader.describe(desc)
        items.append(
            {
                "code": f"syn-{i}",
                "title": desc.title(),
                "description": desc.lower(),
                "category": category,
                "attributes": attrs,
                "price": rng.randint(30, 5000),
                "seller_id": f"seller-{1 + i % 20}",
            }
        )
    loader.bulk_products(svc, items)
    categories = [c["id"] for c in svc.categories() if c["parent_id"] is None]
    times, found = [], 0
    sorts = ["relevance", "price_asc", "price_desc", "newest"]
    for _ in range(SEARCH_QUERIES):
        kwargs: dict = {
            "q": " ".join(rng.sample(vocab, rng.choice([1, 1, 2]))),
            "sort": rng.choice(sorts),
        }
        pick = rng.random()
        if pick < 0.3:
            kwargs["category"] = rng.choice(categories)
        elif pick < 0.6:
            kwargs["max_price"] = rng.choice([500, 1000, 2500])
        elif pick < 0.8:
            kwargs["attrs"] = [f"colour:{rng.choice(loader.COLOURS)}"]
        t0 = time.perf_counter()
        page = svc.find(**kwargs)
        times.append((time.perf_counter() - t0) * 1000)
        found += bool(page["items"])
    total = svc.find(limit=1)["total"]
    svc.close()
    times.sort()
    return times[int(0.99 * (len(times) - 1))], found, f"{total} products ({source} + generated)"


def recall() -> tuple[float | None, float | None, str]:
    try:
        from models.also_bought import evaluate_last_order, load_order_lines
    except ImportError:
        return None, None, "models.also_bought is not in this build"
    from services.shop.loader import data_path

    try:
        lines = load_order_lines(data_path())
    except FileNotFoundError as exc:
        return None, None, str(exc)
    ev = evaluate_last_order(lines, k=10)
    return ev["recall_model"], ev["recall_popularity"], f"{ev['customers']} customers"


def _fmt(x: float | None, spec: str = ".4f") -> str:
    return "nan" if x is None else format(x, spec)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-shop-") as tmp:
        root = Path(tmp)
        over, bad, dbl, detail = safety(root)
        print(
            f"safety: oversold={over} ledger_violations={bad} double_charges={dbl} "
            f"per database (oversold, violations, double charges) {detail}"
        )
        cmp, api_bad = throughput(root)
        bad += api_bad
        ratio = cmp.ratio
        print(
            f"throughput: API cart+checkout {cmp.api_per_s:.1f}/s vs bare UPDATE route "
            f"{cmp.bare_per_s:.1f}/s -> ratio {ratio:.3f} (median of {cmp.rounds} interleaved "
            f"rounds); CPU per success {cmp.api_cpu_ms:.2f} ms vs {cmp.bare_cpu_ms:.2f} ms "
            f"-> CPU ratio {cmp.cpu_ratio:.3f} ({machine_load()})"
        )
        p99, found, what = search_p99(root)
        print(f"search: p99 {p99:.1f} ms over {what} ({found}/{SEARCH_QUERIES} queries found)")
    model, popular, note = recall()
    print(f"also-bought recall@10: model {_fmt(model)} popularity {_fmt(popular)} ({note})")
    print(
        f"RESULT shop_oversold={over} shop_ledger_violations={bad} shop_double_charges={dbl} "
        f"shop_checkout_ratio={ratio:.3f} shop_search_p99_ms={p99:.1f} "
        f"shop_alsobought_recall10={_fmt(model)} shop_popularity_recall10={_fmt(popular)}"
    )


if __name__ == "__main__":
    main()
