"""Seed the shop from the UCI Online Retail order lines (``online_retail.parquet``).

- Products: one per ``StockCode``, titled by its description, priced at the median unit
  price in pence (GBP). Categories form a tree from the description's product noun: the
  last word, then the last two (``HOLDER`` > ``LIGHT HOLDER``). Attributes are read from
  the text: a colour word, and ``pack`` (an integer) from "SET OF 6" / "PACK OF 12".
- The data has one retailer; its catalogue is spread over ``sellers`` seller accounts by a
  stable hash of the stock code, so each seller owns a real slice of it.
- Customers: ``c<CustomerID>`` with their country. Orders: completed invoices become
  delivered orders (``source="history"``) with their lines; cancellations (``C...``), lines
  without a customer and non-positive quantities or prices are set aside.
- Stock: each product receives what the data sold of it plus headroom, over the warehouses.

``bulk_products`` is the fast path shared with benchmarks (synthetic catalogues).
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import insert, select

from services.shop import catalog, inventory
from services.shop.store import product_attrs, products, variants

COLOURS = (
    "red", "pink", "blue", "green", "white", "black", "ivory", "cream", "gold", "silver",
    "purple", "yellow", "orange", "brown", "grey", "natural",
)  # fmt: off
PACK = re.compile(r"\b(?:SET|PACK|BOX) OF (\d{1,4})\b")
WAREHOUSES = (("uk-1", "United Kingdom", 0), ("uk-2", "United Kingdom", 1), ("eu-1", "France", 2))


def data_path() -> Path:
    root = os.environ.get("BLUEPRINT_SHARED_DATA")
    base = Path(root) if root else Path(__file__).resolve().parents[3] / "shared" / "data"
    return base / "shop" / "online_retail.parquet"


def read_lines(path: Path | None = None) -> pl.DataFrame:
    """Clean order lines: invoice, stock code, description, qty, unit price (pence), customer,
    country, ts (UTC). ``FileNotFoundError`` when the data is absent."""
    path = path or data_path()
    if not path.exists():
        raise FileNotFoundError(f"{path} is absent: the shop's real catalogue is not loaded")
    return (
        pl.read_parquet(path)
        .filter(
            ~pl.col("InvoiceNo").cast(pl.Utf8).str.starts_with("C")
            & pl.col("CustomerID").is_not_null()
            & (pl.col("Quantity") > 0)
            & (pl.col("UnitPrice") > 0)
            & pl.col("Description").is_not_null()
        )
        .select(
            pl.col("InvoiceNo").cast(pl.Utf8).alias("invoice"),
            pl.col("StockCode").cast(pl.Utf8).alias("code"),
            pl.col("Description").str.strip_chars().alias("description"),
            pl.col("Quantity").alias("qty"),
            (pl.col("UnitPrice") * 100).round(0).cast(pl.Int64).alias("unit_price"),
            ("c" + pl.col("CustomerID").cast(pl.Utf8)).alias("customer"),
            pl.col("Country").alias("country"),
            pl.col("InvoiceDate").str.strptime(pl.Datetime, "%m/%d/%y %H:%M").alias("ts"),
        )
        .filter(pl.col("unit_price") > 0)
    )


def describe(text: str) -> tuple[list[str], dict[str, Any]]:
    """The category path and attributes read from a product description."""
    words = re.findall(r"[A-Za-z][A-Za-z'\-]*", text.upper())
    noun = words[-1].title() if words else "Other"
    pair = " ".join(w.title() for w in words[-2:]) if len(words) >= 2 else noun
    attrs: dict[str, Any] = {}
    lowered = {w.lower() for w in words}
    for colour in COLOURS:
        if colour in lowered:
            attrs["colour"] = colour
            break
    pack = PACK.search(text.upper())
    if pack:
        attrs["pack"] = int(pack.group(1))
    return ([noun, pair] if pair != noun else [noun]), attrs


def seller_for(code: str, sellers: int) -> str:
    return f"seller-{zlib.crc32(code.encode()) % sellers + 1}"


def bulk_products(svc, items: Iterable[dict[str, Any]], batch: int = 5000) -> dict[str, int]:
    """Insert many products (one variant each) fast: ``code``, ``title``, ``description``,
    ``category`` (path), ``attributes``, ``price``, ``seller_id``; returns code -> variant."""
    now = svc.clock()
    cats: dict[tuple[str, ...], tuple[int, str]] = {}
    levels: dict = {}
    out: dict[str, int] = {}
    items = list(items)
    for start in range(0, len(items), batch):
        chunk = items[start : start + batch]
        with svc.engine.begin() as conn:
            rows = []
            for it in chunk:
                key = tuple(it["category"])
                if key not in cats:
                    cats[key] = catalog.ensure_category(conn, list(key), levels)
                attrs = catalog.check_attributes(it.get("attributes"))
                rows.append(
                    {
                        "code": it["code"],
                        "seller_id": it["seller_id"],
                        "title": it["title"],
                        "description": it.get("description", ""),
                        "category_id": cats[key][0],
                        "category_path": cats[key][1],
                        "attributes": json.dumps(attrs),
                        "currency": svc.conf.currency,
                        "min_price": catalog.check_price(it["price"]),
                        "rating_sum": 0,
                        "rating_count": 0,
                        "rating": 0.0,
                        "active": True,
                        "created_at": now,
                    }
                )
            conn.execute(insert(products), rows)
            codes = [r["code"] for r in rows]
            ids = dict(
                conn.execute(
                    select(products.c.code, products.c.id).where(products.c.code.in_(codes))
                ).all()
            )
            conn.execute(
                insert(variants),
                [
                    {
                        "product_id": ids[it["code"]],
                        "sku": it["code"],
                        "attributes": "{}",
                        "price": it["price"],
                        "currency": svc.conf.currency,
                    }
                    for it in chunk
                ],
            )
            attr_rows, texts = [], []
            for it, row in zip(chunk, rows, strict=True):
                pid = ids[it["code"]]
                attrs = json.loads(row["attributes"])
                attr_rows += [
                    {"product_id": pid, "name": k, "value": json.dumps(v)} for k, v in attrs.items()
                ]
                texts.append(
                    (
                        pid,
                        " ".join(
                            [row["title"], row["description"]]
                            + [f"{k} {v}" for k, v in attrs.items()]
                        ),
                    )
                )
            if attr_rows:
                conn.execute(insert(product_attrs), attr_rows)
            svc.search.index_many(conn, texts)
            out.update(
                dict(
                    conn.execute(
                        select(variants.c.sku, variants.c.id).where(variants.c.sku.in_(codes))
                    ).all()
                )
            )
    return out


def seed(
    svc,
    frame: pl.DataFrame,
    *,
    sellers: int = 4,
    history: pl.DataFrame | None = None,
    headroom: float = 1.5,
) -> dict[str, Any]:
    """Catalogue, stock and (optionally) order history from clean lines; returns what the
    workload needs: code -> variant id, and the counts loaded."""
    for wid, country, priority in WAREHOUSES:
        svc.add_warehouse(wid, country, priority)
    per_product = (
        frame.group_by("code")
        .agg(
            pl.col("description").mode().first(),
            pl.col("unit_price").median().round(0).cast(pl.Int64).alias("price"),
            pl.col("qty").sum().alias("sold"),
        )
        .sort("code")
    )
    items = []
    for code, desc, price, _sold in per_product.iter_rows():
        category, attrs = describe(desc)
        items.append(
            {
                "code": code,
                "title": desc.title(),
                "description": desc.lower(),
                "category": category,
                "attributes": attrs,
                "price": int(price),
                "seller_id": seller_for(code, sellers),
            }
        )
    variant_of = bulk_products(svc, items)
    now = svc.clock()
    receipts = [
        (variant_of[code], WAREHOUSES[i % len(WAREHOUSES)][0], int(sold * headroom) + 10)
        for i, (code, _d, _p, sold) in enumerate(per_product.iter_rows())
    ]
    with svc.engine.begin() as conn:
        inventory.receive_new(conn, receipts, "initial-stock", now)
    loaded_orders = 0
    if history is not None and history.height:
        loaded_orders = load_history(svc, history, variant_of)
    svc.publish()
    return {"variant_of": variant_of, "products": len(items), "history_orders": loaded_orders}


def load_history(svc, lines: pl.DataFrame, variant_of: dict[str, int]) -> int:
    """Past invoices as delivered orders (no payment, no stock movement: they predate us)."""
    with svc.engine.connect() as conn:
        meta = pl.DataFrame(
            [
                (code, r.id, r.product_id, r.seller_id)
                for code, r in (
                    (row.sku, row)
                    for row in conn.execute(
                        select(
                            variants.c.sku,
                            variants.c.id,
                            variants.c.product_id,
                            products.c.seller_id,
                        ).select_from(
                            variants.join(products, products.c.id == variants.c.product_id)
                        )
                    )
                )
                if code in variant_of
            ],
            schema=["code", "variant_id", "product_id", "seller_id"],
            orient="row",
        )
    merged = (
        lines.join(meta, on="code")
        .group_by("invoice", "variant_id")
        .agg(
            pl.col("customer").first(),
            pl.col("ts").first(),
            pl.col("product_id").first(),
            pl.col("seller_id").first(),
            pl.col("qty").sum(),
            pl.col("unit_price").first(),
        )
        .with_columns(("h_" + pl.col("invoice")).alias("order_id"))
    )
    heads = (
        merged.group_by("order_id")
        .agg(
            pl.col("customer").first(),
            pl.col("ts").min(),
            (pl.col("qty") * pl.col("unit_price")).sum().alias("amount"),
        )
        .with_columns(pl.col("ts").dt.epoch("ms").cast(pl.Float64) / 1000)
    )
    cur = svc.conf.currency
    order_rows = [
        (oid, cust, "delivered", amount, 0, cur, "history", ts, ts)
        for oid, cust, ts, amount in heads.select(
            "order_id", "customer", "ts", "amount"
        ).iter_rows()
    ]
    line_rows = list(
        merged.select(
            "order_id", "variant_id", pl.lit("uk-1"), "product_id", "seller_id", "qty", "unit_price"
        ).iter_rows()
    )
    mark = "?" if svc.engine.dialect.name == "sqlite" else "%s"
    with svc.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO shop_orders (id, customer, status, amount, refunded, currency, source, "
            f"created_at, updated_at) VALUES ({', '.join([mark] * 9)})",
            order_rows,
        )
        conn.exec_driver_sql(
            "INSERT INTO shop_order_lines (order_id, variant_id, warehouse_id, product_id, "
            f"seller_id, qty, unit_price) VALUES ({', '.join([mark] * 7)})",
            line_rows,
        )
    return len(order_rows)


def synthetic_lines(invoices: int = 300, products: int = 120, customers: int = 40, seed: int = 0):
    """Order lines shaped like ``read_lines`` output, generated (tests, absent data)."""
    import random
    from datetime import datetime, timedelta

    rng = random.Random(seed)
    nouns = ["MUG", "CANDLE HOLDER", "LUNCH BAG", "CUSHION COVER", "TEA SET", "BUNTING"]
    adjectives = ["RED", "BLUE", "WHITE", "VINTAGE", "HEART", "SPOTTY", "RETRO"]
    catalogue = []
    for i in range(products):
        desc = f"{rng.choice(adjectives)} {rng.choice(adjectives)} {rng.choice(nouns)}"
        if rng.random() < 0.2:
            desc = f"SET OF {rng.choice([3, 6, 12])} {desc}"
        catalogue.append((f"G{i:05d}", desc, rng.randint(50, 2000)))
    rows = []
    start = datetime(2011, 1, 1)
    for n in range(invoices):
        customer = f"c{90000 + rng.randrange(customers)}"
        ts = start + timedelta(hours=n * 3)
        for code, desc, price in rng.sample(catalogue, rng.randint(1, 6)):
            rows.append(
                (
                    str(500000 + n),
                    code,
                    desc,
                    rng.randint(1, 12),
                    price,
                    customer,
                    "United Kingdom",
                    ts,
                )
            )
    return pl.DataFrame(
        rows,
        schema=["invoice", "code", "description", "qty", "unit_price", "customer", "country", "ts"],
        orient="row",
    )
