"""Faceted product search with the store's own engine: SQLite FTS5 ranked by BM25 in the
embedded default, PostgreSQL text search (GIN over ``to_tsvector``) when scaled out, as
social search does. Full text covers title, description and attribute values.

One request runs two statements over the same filtered set: the page (keyset on the sort
key and id, or an offset for relevance) and every facet count (category, seller, price band,
rating band, attribute values) in one ``UNION ALL``. Facets count with all filters applied.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from services.errors import BadRequest, Invalid
from services.shop.catalog import product_summary
from services.shop.store import product_attrs, products

PRICE_BANDS = (0, 500, 1000, 2500, 5000, 10_000, 50_000)
SORTS = {
    "price_asc": ("p.min_price", "ASC"),
    "price_desc": ("p.min_price", "DESC"),
    "rating": ("p.rating", "DESC"),
    "newest": ("p.created_at", "DESC"),
}
FACET_TOP = 20


def _fts_query(q: str) -> str:
    terms = re.findall(r"\w+", q, re.UNICODE)
    return " ".join(f'"{t}"' for t in terms)


def encode_cursor(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> dict[str, Any]:
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(state, dict) or state.get("s") != sort:
            raise ValueError("sort")
        if sort == "relevance":
            if not isinstance(state.get("o"), int) or not 0 <= state["o"] <= 100_000:
                raise ValueError("offset")
        elif not isinstance(state.get("id"), int) or not isinstance(state.get("v"), int | float):
            raise ValueError("keyset")
        return state
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise BadRequest(
            "invalid cursor: pass back the next_cursor you were given, with the same sort"
        ) from exc


class ShopSearch:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"

    def create_index(self) -> None:
        with self.engine.begin() as conn:
            if self.is_sqlite:
                conn.exec_driver_sql(
                    "CREATE VIRTUAL TABLE IF NOT EXISTS shop_products_fts "
                    "USING fts5(body, tokenize='unicode61 remove_diacritics 2')"
                )
            else:
                conn.exec_driver_sql(
                    "CREATE TABLE IF NOT EXISTS shop_products_text "
                    "(id integer PRIMARY KEY, body text NOT NULL)"
                )
                conn.exec_driver_sql(
                    "CREATE INDEX IF NOT EXISTS ix_shop_products_tsv ON shop_products_text "
                    "USING gin (to_tsvector('simple', body))"
                )

    def index(self, conn: Connection, product_id: int) -> None:
        """(Re)index one product inside the transaction that changes it."""
        row = conn.execute(products.select().where(products.c.id == product_id)).one()
        attrs = conn.execute(
            product_attrs.select().where(product_attrs.c.product_id == product_id)
        ).all()
        body = " ".join(
            [row.title, row.description] + [f"{a.name} {json.loads(a.value)}" for a in attrs]
        )
        table = "shop_products_fts" if self.is_sqlite else "shop_products_text"
        key = "rowid" if self.is_sqlite else "id"
        conn.execute(text(f"DELETE FROM {table} WHERE {key} = :i"), {"i": product_id})
        conn.execute(
            text(f"INSERT INTO {table} ({key}, body) VALUES (:i, :b)"), {"i": product_id, "b": body}
        )

    def index_many(self, conn: Connection, rows: list[tuple[int, str]]) -> None:
        """Bulk index for loaders: ``(product_id, body)`` of products not yet indexed."""
        table = "shop_products_fts" if self.is_sqlite else "shop_products_text"
        key = "rowid" if self.is_sqlite else "id"
        if rows:
            conn.execute(
                text(f"INSERT INTO {table} ({key}, body) VALUES (:i, :b)"),
                [{"i": i, "b": b} for i, b in rows],
            )

    def _where(self, f: dict[str, Any], params: dict[str, Any]) -> tuple[str, str]:
        """The FROM clause and WHERE conditions of the filtered set, and its params."""
        source = "shop_products p"
        conds = ["p.active = :active"]
        params["active"] = True
        if f.get("q"):
            if not re.search(r"\w", f["q"]):
                raise Invalid("a search needs at least one word")
            if self.is_sqlite:
                # CROSS JOIN fixes the join order in SQLite: the full-text matches drive, and
                # the planner cannot scan every product by the price index instead.
                source = "shop_products_fts f CROSS JOIN shop_products p ON p.id = f.rowid"
                conds.append("f.body MATCH :q")
                params["q"] = _fts_query(f["q"])
            else:
                source = (
                    "shop_products_text f JOIN shop_products p ON p.id = f.id, "
                    "plainto_tsquery('simple', :q) tq"
                )
                conds.append("to_tsvector('simple', f.body) @@ tq")
                params["q"] = f["q"]
        if f.get("category_path"):
            conds.append("p.category_path LIKE :cat")
            params["cat"] = f["category_path"] + "%"
        if f.get("min_price") is not None:
            conds.append("p.min_price >= :minp")
            params["minp"] = f["min_price"]
        if f.get("max_price") is not None:
            conds.append("p.min_price <= :maxp")
            params["maxp"] = f["max_price"]
        if f.get("seller"):
            conds.append("p.seller_id = :seller")
            params["seller"] = f["seller"]
        if f.get("min_rating") is not None:
            conds.append("p.rating >= :minr")
            params["minr"] = f["min_rating"]
        for i, (name, value) in enumerate(sorted((f.get("attributes") or {}).items())):
            conds.append(
                f"p.id IN (SELECT product_id FROM shop_product_attrs "
                f"WHERE name = :an{i} AND value = :av{i})"
            )
            params[f"an{i}"], params[f"av{i}"] = name, json.dumps(value)
        return source, " AND ".join(conds)

    def search(
        self, filters: dict[str, Any], sort: str, limit: int, cursor: str | None
    ) -> dict[str, Any]:
        if sort == "relevance" and not filters.get("q"):
            sort = "newest"
        params: dict[str, Any] = {}
        source, where = self._where(filters, params)
        state = decode_cursor(cursor, sort) if cursor else None
        page_where = where
        if sort == "relevance":
            rank = "f.rank" if self.is_sqlite else "ts_rank(to_tsvector('simple', f.body), tq) DESC"
            order = f"{rank}, p.id"
            offset = state["o"] if state else 0
        else:
            col, direction = SORTS[sort]
            order = f"{col} {direction}, p.id {direction}"
            offset = 0
            if state:
                op = ">" if direction == "ASC" else "<"
                page_where += f" AND ({col} {op} :cv OR ({col} = :cv AND p.id {op} :cid))"
                params |= {"cv": state["v"], "cid": state["id"]}
        page_sql = (
            f"SELECT p.* FROM {source} WHERE {page_where} ORDER BY {order} LIMIT :lim OFFSET :off"
        )
        with self.engine.connect() as conn:
            rows = conn.execute(text(page_sql), {**params, "lim": limit + 1, "off": offset}).all()
            facets = self._facets(conn, source, where, params)
        more = len(rows) > limit
        rows = rows[:limit]
        nxt = None
        if more and rows:
            last = rows[-1]
            if sort == "relevance":
                nxt = encode_cursor({"s": sort, "o": offset + limit})
            else:
                col = SORTS[sort][0].split(".")[1]
                nxt = encode_cursor({"s": sort, "v": getattr(last, col), "id": last.id})
        return {
            "items": [product_summary(r) for r in rows],
            "facets": facets,
            "total": facets.pop("_total"),
            "next_cursor": nxt,
            "sort": sort,
        }

    def _facets(self, conn: Connection, source: str, where: str, params: dict) -> dict[str, Any]:
        bands = " ".join(
            f"WHEN p.min_price < {hi} THEN '{lo}-{hi - 1}'"
            for lo, hi in zip(PRICE_BANDS, PRICE_BANDS[1:], strict=False)
        )
        materialized = "MATERIALIZED " if self.is_sqlite else "MATERIALIZED "
        sql = f"""
            WITH m AS {materialized}(
                SELECT p.id, p.category_id, p.seller_id, p.rating, p.min_price,
                       CASE {bands} ELSE '{PRICE_BANDS[-1]}+' END AS band
                FROM {source} WHERE {where}
            )
            SELECT 'total' AS facet, '' AS value, count(*) AS n FROM m
            UNION ALL SELECT 'category', CAST(category_id AS TEXT), count(*) FROM m
                GROUP BY category_id
            UNION ALL SELECT 'seller', seller_id, count(*) FROM m GROUP BY seller_id
            UNION ALL SELECT 'price', band, count(*) FROM m GROUP BY band
            UNION ALL SELECT 'rating', CAST(CAST(rating AS INTEGER) AS TEXT), count(*) FROM m
                WHERE rating > 0 GROUP BY CAST(rating AS INTEGER)
            UNION ALL SELECT 'attr:' || a.name, a.value, count(*)
                FROM m JOIN shop_product_attrs a ON a.product_id = m.id
                GROUP BY a.name, a.value
        """
        out: dict[str, Any] = {"_total": 0}
        groups: dict[str, list[tuple[str, int]]] = {}
        for facet, value, n in conn.execute(text(sql), params):
            if facet == "total":
                out["_total"] = int(n)
            else:
                groups.setdefault(facet, []).append((value, int(n)))
        attributes: dict[str, list[dict[str, Any]]] = {}
        for facet, values in groups.items():
            top = sorted(values, key=lambda vn: (-vn[1], vn[0]))[:FACET_TOP]
            if facet.startswith("attr:"):
                attributes[facet[5:]] = [{"value": json.loads(v), "count": n} for v, n in top]
            else:
                out[facet] = [{"value": v, "count": n} for v, n in top]
        for name in ("category", "seller", "price", "rating"):
            out.setdefault(name, [])
        out["attributes"] = attributes
        return out
