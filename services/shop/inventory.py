"""Stock movements, each one conditional UPDATE and one ledger row in the caller's transaction.

Nothing here reads a count and writes a new one (the read-modify-write that oversells under
concurrency): every change is ``UPDATE ... SET x = x + n WHERE <it still fits>`` and checks the
rows affected. ``allocate`` picks the order of warehouses by the one configured rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, func, insert, select, update
from sqlalchemy.engine import Connection

from services.errors import Conflict
from services.shop.store import ledger, stock, warehouses

KINDS = ("receipt", "reserve", "release", "sale", "return")


class OutOfStock(Conflict):
    """Not enough of a variant left in any warehouse (409)."""


@dataclass(frozen=True)
class Taken:
    variant_id: int
    warehouse_id: str
    qty: int


# The checkout's statements are built once (only their parameters change per call).
_s = stock.c
_at = and_(_s.variant_id == bindparam("v"), _s.warehouse_id == bindparam("wh"))
_insert_ledger = insert(ledger)
_reserve = (
    update(stock)
    .where(and_(_at, _s.on_hand - _s.reserved >= bindparam("q")))
    .values(reserved=_s.reserved + bindparam("q"))
)
_sell = (
    update(stock)
    .where(and_(_at, _s.reserved >= bindparam("q")))
    .values(
        reserved=_s.reserved - bindparam("q"),
        on_hand=_s.on_hand - bindparam("q"),
        sold=_s.sold + bindparam("q"),
    )
)

_w = warehouses.c
_free_stock = (
    select(_s.warehouse_id, _w.country, _w.priority, (_s.on_hand - _s.reserved).label("free"))
    .select_from(stock.join(warehouses, _w.id == _s.warehouse_id))
    .where(and_(_s.variant_id == bindparam("v"), _s.on_hand - _s.reserved > 0))
)
_release = (
    update(stock)
    .where(and_(_at, _s.reserved >= bindparam("q")))
    .values(reserved=_s.reserved - bindparam("q"))
)


def _log(conn: Connection, variant_id: int, wh: str, kind: str, qty: int, ref: str, ts: float):
    conn.execute(
        _insert_ledger,
        {
            "variant_id": variant_id,
            "warehouse_id": wh,
            "kind": kind,
            "qty": qty,
            "ref": ref,
            "ts": ts,
        },
    )


def _where(variant_id: int, wh: str):
    return and_(stock.c.variant_id == variant_id, stock.c.warehouse_id == wh)


def receive(conn: Connection, variant_id: int, wh: str, qty: int, ref: str, ts: float) -> None:
    """Goods in: ``received`` and ``on_hand`` grow together (the row is made if new)."""
    s = stock.c
    moved = conn.execute(
        update(stock)
        .where(_where(variant_id, wh))
        .values(received=s.received + qty, on_hand=s.on_hand + qty)
    ).rowcount
    if not moved:
        conn.execute(
            insert(stock).values(
                variant_id=variant_id,
                warehouse_id=wh,
                received=qty,
                sold=0,
                returned=0,
                on_hand=qty,
                reserved=0,
            )
        )
    _log(conn, variant_id, wh, "receipt", qty, ref, ts)


def receive_new(
    conn: Connection, receipts: list[tuple[int, str, int]], ref: str, ts: float
) -> None:
    """Opening stock for variants with no stock row yet, in bulk (loaders): the rows and
    their receipts in the ledger, exactly as ``receive`` would write them one by one."""
    if not receipts:
        return
    conn.execute(
        insert(stock),
        [
            {
                "variant_id": v,
                "warehouse_id": w,
                "received": q,
                "sold": 0,
                "returned": 0,
                "on_hand": q,
                "reserved": 0,
            }
            for v, w, q in receipts
        ],
    )
    conn.execute(
        insert(ledger),
        [
            {"variant_id": v, "warehouse_id": w, "kind": "receipt", "qty": q, "ref": ref, "ts": ts}
            for v, w, q in receipts
        ],
    )


def reserve(conn: Connection, variant_id: int, wh: str, qty: int, ref: str, ts: float) -> bool:
    """Set ``qty`` aside if that many are free: the one conditional UPDATE of a checkout."""
    ok = conn.execute(_reserve, {"v": variant_id, "wh": wh, "q": qty}).rowcount == 1
    if ok:
        _log(conn, variant_id, wh, "reserve", qty, ref, ts)
    return ok


def release(conn: Connection, variant_id: int, wh: str, qty: int, ref: str, ts: float) -> bool:
    ok = conn.execute(_release, {"v": variant_id, "wh": wh, "q": qty}).rowcount == 1
    if ok:
        _log(conn, variant_id, wh, "release", qty, ref, ts)
    return ok


def sell(conn: Connection, variant_id: int, wh: str, qty: int, ref: str, ts: float) -> bool:
    """A reservation becomes a sale: reserved, on_hand and sold move in one statement."""
    ok = conn.execute(_sell, {"v": variant_id, "wh": wh, "q": qty}).rowcount == 1
    if ok:
        _log(conn, variant_id, wh, "sale", qty, ref, ts)
    return ok


def restock(conn: Connection, variant_id: int, wh: str, qty: int, ref: str, ts: float) -> bool:
    """Goods back from a cancellation or a return, never more than was sold from there."""
    s = stock.c
    ok = (
        conn.execute(
            update(stock)
            .where(and_(_where(variant_id, wh), s.sold - s.returned >= qty))
            .values(returned=s.returned + qty, on_hand=s.on_hand + qty)
        ).rowcount
        == 1
    )
    if ok:
        _log(conn, variant_id, wh, "return", qty, ref, ts)
    return ok


def warehouse_order(
    conn: Connection, variant_id: int, rule: str, country: str, wanted: int
) -> list[tuple[str, int]]:
    """Warehouses holding free stock of the variant, in the order ``rule`` prefers, with the
    amount free now (a hint: the conditional UPDATE decides)."""
    rows = conn.execute(_free_stock, {"v": variant_id}).all()
    if rule == "nearest":
        key = lambda r: (r.country != country, r.priority, r.warehouse_id)  # noqa: E731
    else:  # fewest_shipments: one warehouse that holds it all, the fullest first
        key = lambda r: (r.free < wanted, -r.free, r.warehouse_id)  # noqa: E731
    return [(r.warehouse_id, int(r.free)) for r in sorted(rows, key=key)]


def reserve_line(
    conn: Connection,
    variant_id: int,
    qty: int,
    *,
    rule: str,
    country: str,
    ref: str,
    ts: float,
    label: str,
) -> list[Taken]:
    """Reserve ``qty`` of a variant across warehouses in rule order, or raise OutOfStock
    (the caller's transaction then rolls every part of it back)."""
    left = qty
    taken: list[Taken] = []
    for _round in range(3):  # a hint that went stale is read again, a bounded number of times
        for wh, free in warehouse_order(conn, variant_id, rule, country, left):
            n = min(free, left)
            if n > 0 and reserve(conn, variant_id, wh, n, ref, ts):
                taken.append(Taken(variant_id, wh, n))
                left -= n
            if left == 0:
                return taken
    raise OutOfStock(f"{label} is out of stock: {qty} wanted, {qty - left} available")


def counts(conn: Connection, variant_id: int) -> dict[str, int]:
    """A variant's totals over every warehouse."""
    s = stock.c
    row = conn.execute(
        select(
            func.coalesce(func.sum(s.received), 0),
            func.coalesce(func.sum(s.sold), 0),
            func.coalesce(func.sum(s.returned), 0),
            func.coalesce(func.sum(s.on_hand), 0),
            func.coalesce(func.sum(s.reserved), 0),
        ).where(s.variant_id == variant_id)
    ).one()
    keys = ("received", "sold", "returned", "on_hand", "reserved")
    out = {k: int(v) for k, v in zip(keys, row, strict=True)}
    out["available"] = out["on_hand"] - out["reserved"]
    return out


def ledger_violations(conn: Connection, variant_ids: Iterable[int] | None = None) -> list[str]:
    """Every stock row whose counters disagree with its ledger or break an invariant."""
    sums: dict[tuple[int, str], dict[str, int]] = {}
    q = select(ledger.c.variant_id, ledger.c.warehouse_id, ledger.c.kind, func.sum(ledger.c.qty))
    if variant_ids is not None:
        q = q.where(ledger.c.variant_id.in_(list(variant_ids)))
    for v, wh, kind, total in conn.execute(
        q.group_by(ledger.c.variant_id, ledger.c.warehouse_id, ledger.c.kind)
    ):
        sums.setdefault((v, wh), dict.fromkeys(KINDS, 0))[kind] = int(total)
    bad: list[str] = []
    sq = select(stock)
    if variant_ids is not None:
        sq = sq.where(stock.c.variant_id.in_(list(variant_ids)))
    for row in conn.execute(sq):
        k = sums.pop((row.variant_id, row.warehouse_id), dict.fromkeys(KINDS, 0))
        expect = {
            "received": k["receipt"],
            "sold": k["sale"],
            "returned": k["return"],
            "reserved": k["reserve"] - k["release"] - k["sale"],
        }
        where = f"variant {row.variant_id} at {row.warehouse_id}"
        for name, value in expect.items():
            if getattr(row, name) != value:
                bad.append(f"{where}: {name} {getattr(row, name)} but the ledger says {value}")
        if row.received - row.sold + row.returned != row.on_hand:
            bad.append(f"{where}: received - sold + returned != on_hand")
        if row.on_hand - row.reserved < 0 or row.reserved < 0:
            bad.append(f"{where}: negative free stock")
    bad.extend(f"variant {v} at {wh}: ledger rows without stock" for v, wh in sums)
    return bad
