"""Shop traffic: part of the real Online Retail orders replayed through the API.

The catalogue, prices and stock are loaded from the real data; the last ``REPLAY``
invoices are then replayed by concurrent shoppers (each a real customer with an API key):
cart lines, checkout with an ``Idempotency-Key`` (some clients retry it, and the gateway
sometimes drops its answer after charging), then some cancellations, and some orders
shipped, delivered, returned and refunded. A few shoppers start with a guest cart and merge
it on login. The summary prints revenue, the lake audit's verdict and "also bought" for a
real product when a model is promoted. Without the real data it replays generated orders and
says so.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pipelines.workload import WorkloadContext

REPLAY = 80  # invoices replayed through the API (bounded: make run stays quick)
SHOPPERS = 8  # concurrent clients
MAX_LINES = 10  # lines per replayed order (the rest of a wholesale invoice is dropped)


class ShopWorkload:
    name = "shop"
    order = 45

    def run(self, ctx: WorkloadContext) -> None:
        import polars as pl

        from services.shop import loader

        svc = ctx.client.app.state.services["shop"]
        try:
            lines = loader.read_lines()
            source = "real Online Retail orders"
        except FileNotFoundError:
            lines = loader.synthetic_lines(400, seed=ctx.rng.randint(0, 10_000))
            source = "generated orders (real data absent)"
        invoices = lines.group_by("invoice").agg(pl.col("ts").min()).sort("ts")
        n = max(40, int(REPLAY * ctx.scale))
        replay_ids = set(invoices.tail(n)["invoice"].to_list())
        if not svc.categories():
            # Past orders are not loaded here (``blueprint shop load`` does): the recommender
            # trains from the data file itself, and make run stays quick.
            loaded = loader.seed(svc, lines)
        else:
            loaded = {"variant_of": self._variants(svc), "history_orders": 0}
        variant_of = loaded["variant_of"]
        replay = (
            lines.filter(pl.col("invoice").is_in(list(replay_ids)))
            .group_by("invoice", maintain_order=True)
            .agg(
                pl.col("customer").first(),
                pl.col("code").head(MAX_LINES),
                pl.col("qty").head(MAX_LINES),
            )
        )
        customers = sorted(set(replay["customer"].to_list()))
        keys = {c: {"X-API-Key": ctx.api_key(c, ["customer"])} for c in customers}
        sellers = {
            f"seller-{i}": {"X-API-Key": ctx.api_key(f"seller-{i}", ["seller"])}
            for i in range(1, 5)
        }
        plans = [
            (i, inv, cust, codes, qtys, ctx.rng.random())
            for i, (inv, cust, codes, qtys) in enumerate(replay.iter_rows())
        ]
        gw = getattr(svc, "local_gateway", None)
        counts: dict[str, int] = {}

        def count(name: str, k: int = 1) -> None:
            counts[name] = counts.get(name, 0) + k

        def shop(plan) -> None:
            i, inv, cust, codes, qtys, luck = plan
            h = keys[cust]
            items = [
                (variant_of[c], min(q, svc.conf.max_line_qty))
                for c, q in zip(codes, qtys, strict=True)
                if c in variant_of
            ]
            if luck < 0.1:  # a guest cart, merged on login
                token = ctx.client.post("/shop/guest-carts").json()["token"]
                for vid, q in items:
                    ctx.client.put(f"/shop/guest-carts/{token}/items/{vid}", json={"qty": q})
                ctx.client.post("/shop/cart/merge", json={"guest_token": token}, headers=h)
                count("guest_merges")
            else:
                for vid, q in items:
                    ctx.client.put(f"/shop/cart/items/{vid}", json={"qty": q}, headers=h)
            if gw is not None and luck > 0.9:
                gw.chaos.inject("drop", 1)  # the gateway charges, then its answer is lost
            kh = {**h, "Idempotency-Key": f"replay-{inv}"}
            r = ctx.client.post("/shop/checkout", json={}, headers=kh)
            for _ in range(3):
                if r.status_code != 503:
                    break
                r = ctx.client.post("/shop/checkout", json={}, headers=kh)
            if r.status_code == 201 and luck < 0.2:  # the answer was lost: retry, same key
                again = ctx.client.post("/shop/checkout", json={}, headers=kh)
                count("retries")
                count("retry_mismatch", again.json().get("id") != r.json()["id"])
            if r.status_code != 201:
                count(f"checkout_{r.status_code}")
                return
            count("orders")
            self._after(ctx, r.json(), h, sellers, luck, count)

        started = time.monotonic()
        with ThreadPoolExecutor(SHOPPERS) as pool:
            list(pool.map(shop, plans))
        svc.reconcile()
        svc.publish()
        ctx.facts[self.name] = {
            **counts,
            "source": source,
            "replayed": len(plans),
            "history_orders": loaded.get("history_orders", 0),
            "seconds": round(time.monotonic() - started, 1),
            "totals": svc.totals(),
            "store_audit": len(svc.audit()),
            "top_code": self._top_code(lines),
            "charges": gw.charges_by("checkout") if gw is not None else {},
        }
        ctx.log(f"    replayed {len(plans)} {source} with {SHOPPERS} shoppers: {counts}")

    @staticmethod
    def _after(ctx, order: dict[str, Any], h, sellers, luck: float, count) -> None:
        url = f"/shop/orders/{order['id']}/transitions"
        # Each seller packs, ships, delivers and refunds its own shipment of the order.
        parts = [(sh["seller_id"], sh["amount"]) for sh in order["shipments"]]
        ship_url = f"/shop/orders/{order['id']}/shipments/{{}}"
        if 0.2 <= luck < 0.28:
            r = ctx.client.post(url, json={"action": "cancel"}, headers=h)
            count("cancelled", r.status_code == 200)
            return
        if luck < 0.35:
            return  # left paid, not yet shipped
        for action in ("pack", "ship", "deliver"):
            for seller_id, _amount in parts:
                ctx.client.post(
                    ship_url.format(seller_id) + "/transitions",
                    json={"action": action},
                    headers=sellers[seller_id],
                )
        count("delivered")
        if luck > 0.85:
            ctx.client.post(url, json={"action": "request_return"}, headers=h)
            ctx.client.post(url, json={"action": "receive_return"}, headers=sellers[parts[0][0]])
            ok = all(
                ctx.client.post(
                    ship_url.format(seller_id) + "/refunds",
                    json={"amount": amount},
                    headers=sellers[seller_id],
                ).status_code
                == 200
                for seller_id, amount in parts
            )
            count("refunded", ok)

    @staticmethod
    def _variants(svc) -> dict[str, int]:
        from sqlalchemy import select

        from services.shop.store import variants

        with svc.engine.connect() as conn:
            return dict(conn.execute(select(variants.c.sku, variants.c.id)).all())

    @staticmethod
    def _top_code(lines) -> str:
        import polars as pl

        top = lines.group_by("code").agg(pl.col("invoice").n_unique().alias("n"))
        return top.sort("n", descending=True)["code"][0]

    def summarize(self, ctx: WorkloadContext) -> list[str]:
        from services.shop.lake_audit import audit_lake
        from warehouse.lake import Lake

        f = ctx.facts.get(self.name, {})
        totals = f.get("totals", {})
        audit = audit_lake(Lake(ctx.settings.lake_dir))
        verdict = "PASSED" if audit.passed else f"FAILED ({audit.violations[0]})"
        charges = f.get("charges", {})
        return [
            f"replayed {f.get('replayed')} {f.get('source')} in {f.get('seconds')}s: "
            f"{f.get('orders', 0)} orders, {f.get('checkout_409', 0)} out of stock, "
            f"{f.get('cancelled', 0)} cancelled, {f.get('delivered', 0)} delivered, "
            f"{f.get('refunded', 0)} returned and refunded, {f.get('guest_merges', 0)} guest "
            f"carts merged, {f.get('retries', 0)} retried checkouts",
            f"revenue {totals.get('revenue', 0) / 100:.2f} GBP (refunds "
            f"{totals.get('refunded', 0) / 100:.2f}); double charges "
            f"{sum(1 for n in charges.values() if n > 1)}; store ledger violations "
            f"{f.get('store_audit')}",
            f"inventory-ledger audit from the lake: {verdict} over {audit.ledger_rows} ledger "
            f"rows, {audit.payments} payments",
            self._also_bought(ctx, f.get("top_code")),
        ]

    @staticmethod
    def _also_bought(ctx: WorkloadContext, code: str | None) -> str:
        """Also-bought for the product in most real orders, from the promoted model (the
        service hot-reloads it: the assets promoted it after the replay)."""
        from sqlalchemy import select

        from services.errors import DomainError
        from services.shop.store import products

        svc = ctx.client.app.state.services["shop"]
        with svc.engine.connect() as conn:
            row = conn.execute(
                select(products.c.id, products.c.title).where(products.c.code == code)
            ).first()
        if row is None:
            return f"also bought: product {code} is not in the catalogue"
        svc.recs.refresh(force=True)
        try:
            got = svc.also_bought(row.id, k=5)
        except DomainError as exc:
            return f"also bought for {row.title!r}: {exc.message}"
        names = ", ".join(f"{p['title']} ({p['score']:.2f})" for p in got["items"])
        return f"also bought for {row.title!r} ({got['model_version']}): {names}"


WORKLOAD = ShopWorkload()
