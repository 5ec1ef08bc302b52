"""Reviews and ratings: verified purchasers only, one review per customer per product (editable),
reports from other customers, and an admin moderation queue that hides or restores.

A product's ``rating_sum``/``rating_count`` are recomputed from visible reviews in the same
transaction as any change, so search's rating filter and facet never count a hidden review.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.shop.store import order_lines, orders, products, review_reports, reviews
from warehouse.emitter import Emitter

SYSTEM = "shop"
BOUGHT = ("paid", "packed", "shipped", "delivered", "return_requested", "partially_refunded")


def _view(r: Any) -> dict[str, Any]:
    return {
        "id": r.id,
        "product_id": r.product_id,
        "customer": r.customer,
        "rating": r.rating,
        "body": r.body,
        "status": r.status,
        "reports": r.reports,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    }


def _check(rating: int, body: str) -> None:
    if not 1 <= rating <= 5:
        raise Invalid("a rating is 1 to 5")
    if len(body) > 5000:
        raise Invalid("a review is at most 5000 characters")


def _refresh(conn: Connection, product_id: int) -> None:
    r = reviews.c
    total, count = conn.execute(
        select(func.coalesce(func.sum(r.rating), 0), func.count()).where(
            and_(r.product_id == product_id, r.status == "visible")
        )
    ).one()
    conn.execute(
        update(products)
        .where(products.c.id == product_id)
        .values(rating_sum=total, rating_count=count, rating=(total / count) if count else 0.0)
    )


class Reviews:
    def __init__(self, engine: Engine, clock: Callable[[], float], emitter: Emitter) -> None:
        self.engine = engine
        self.clock = clock
        self.emitter = emitter

    def verified(self, conn: Connection, customer: str, product_id: int) -> bool:
        return bool(
            conn.execute(
                select(
                    exists().where(
                        and_(
                            order_lines.c.product_id == product_id,
                            order_lines.c.order_id == orders.c.id,
                            orders.c.customer == customer,
                            orders.c.status.in_(BOUGHT),
                        )
                    )
                )
            ).scalar()
        )

    def write(self, customer: str, product_id: int, rating: int, body: str) -> dict[str, Any]:
        """Create the customer's review of a product, or edit it if one exists."""
        _check(rating, body)
        now = self.clock()
        with self.engine.begin() as conn:
            if not conn.execute(select(products.c.id).where(products.c.id == product_id)).first():
                raise NotFound(f"no product {product_id}")
            if not self.verified(conn, customer, product_id):
                raise Forbidden("only customers who bought this product may review it")
            key = and_(reviews.c.product_id == product_id, reviews.c.customer == customer)
            edited = conn.execute(
                update(reviews).where(key).values(rating=rating, body=body, updated_at=now)
            ).rowcount
            if not edited:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            insert(reviews).values(
                                product_id=product_id,
                                customer=customer,
                                rating=rating,
                                body=body,
                                status="visible",
                                reports=0,
                                created_at=now,
                                updated_at=now,
                            )
                        )
                except IntegrityError as exc:
                    raise Conflict("a review by you for this product is being written") from exc
            _refresh(conn, product_id)
            row = conn.execute(select(reviews).where(key)).one()
        self.emitter.emit(
            SYSTEM,
            "review_edited" if edited else "review_written",
            actor=customer,
            entity=str(product_id),
            attrs={"rating": rating},
        )
        return _view(row)

    def list(self, product_id: int, limit: int = 50) -> dict[str, Any]:
        r = reviews.c
        with self.engine.connect() as conn:
            p = conn.execute(select(products).where(products.c.id == product_id)).first()
            if p is None:
                raise NotFound(f"no product {product_id}")
            rows = conn.execute(
                select(reviews)
                .where(and_(r.product_id == product_id, r.status == "visible"))
                .order_by(r.updated_at.desc(), r.id.desc())
                .limit(limit)
            ).all()
        return {
            "product_id": product_id,
            "rating": round(p.rating, 2),
            "rating_count": p.rating_count,
            "reviews": [_view(x) for x in rows],
        }

    def report(self, review_id: int, reporter: str, reason: str) -> dict[str, Any]:
        with self.engine.begin() as conn:
            row = conn.execute(select(reviews).where(reviews.c.id == review_id)).first()
            if row is None or row.status != "visible":
                raise NotFound(f"no review {review_id}")
            if row.customer == reporter:
                raise Invalid("you cannot report your own review")
            try:
                with conn.begin_nested():
                    conn.execute(
                        insert(review_reports).values(
                            review_id=review_id, reporter=reporter, reason=reason, ts=self.clock()
                        )
                    )
            except IntegrityError as exc:
                raise Conflict("you already reported this review") from exc
            conn.execute(
                update(reviews)
                .where(reviews.c.id == review_id)
                .values(reports=reviews.c.reports + 1)
            )
            row = conn.execute(select(reviews).where(reviews.c.id == review_id)).one()
        self.emitter.emit(SYSTEM, "review_reported", actor=reporter, entity=str(review_id))
        return _view(row)

    def queue(self, limit: int = 100) -> list[dict[str, Any]]:
        """Reported reviews, the most reported first, hidden ones included (to restore)."""
        r = reviews.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(reviews).where(r.reports > 0).order_by(r.reports.desc(), r.id).limit(limit)
            ).all()
        return [_view(x) for x in rows]

    def moderate(self, review_id: int, action: str, admin: str) -> dict[str, Any]:
        if action not in ("hide", "restore"):
            raise Invalid("action is hide or restore")
        new = "hidden" if action == "hide" else "visible"
        with self.engine.begin() as conn:
            row = conn.execute(select(reviews).where(reviews.c.id == review_id)).first()
            if row is None:
                raise NotFound(f"no review {review_id}")
            values: dict[str, Any] = {"status": new}
            if action == "restore":
                values["reports"] = 0  # cleared: it leaves the queue
            conn.execute(update(reviews).where(reviews.c.id == review_id).values(**values))
            _refresh(conn, row.product_id)
            row = conn.execute(select(reviews).where(reviews.c.id == review_id)).one()
        self.emitter.emit(SYSTEM, f"review_{new}", actor=admin, entity=str(review_id))
        return _view(row)

    def seller_rating(self, seller_id: str) -> dict[str, Any]:
        p = products.c
        with self.engine.connect() as conn:
            total, count, n = conn.execute(
                select(
                    func.coalesce(func.sum(p.rating_sum), 0),
                    func.coalesce(func.sum(p.rating_count), 0),
                    func.count(),
                ).where(p.seller_id == seller_id)
            ).one()
        if not n:
            raise NotFound(f"no seller {seller_id!r}")
        return {
            "seller_id": seller_id,
            "rating": round(total / count, 2) if count else 0.0,
            "rating_count": int(count),
            "products": int(n),
        }
