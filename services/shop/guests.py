"""Guest carts: the server issues each token and stores it (as a hash), so a well-formed token
it never issued is a 404, not an empty cart. At login the cart merges into the customer's
once; the merged token then reads empty and takes no more lines (409).
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from services.errors import Conflict, NotFound
from services.shop.store import guest_carts


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(conn: Connection, now: float) -> str:
    """A new guest cart's token (shown once; only its hash is kept)."""
    token = secrets.token_urlsafe(24)
    conn.execute(insert(guest_carts).values(token_hash=_hash(token), created_at=now))
    return token


def owner(conn: Connection, token: str, *, writing: bool = False) -> str:
    """The cart owner of an issued token: 404 if never issued, 409 to write once merged."""
    row = conn.execute(
        select(guest_carts.c.merged_into).where(guest_carts.c.token_hash == _hash(token))
    ).first()
    if row is None:
        raise NotFound("no such guest cart")
    if writing and row.merged_into is not None:
        raise Conflict("this guest cart was merged into a customer's cart at login")
    return "guest:" + token


def claim(conn: Connection, token: str, customer: str) -> bool:
    """Mark the guest cart merged into ``customer``: True the first time; False when this
    customer merged it already (a retried login); 404 for anyone else or an unknown token."""
    h = _hash(token)
    if conn.execute(
        update(guest_carts)
        .where(guest_carts.c.token_hash == h, guest_carts.c.merged_into.is_(None))
        .values(merged_into=customer)
    ).rowcount:
        return True
    merged = conn.execute(
        select(guest_carts.c.merged_into).where(guest_carts.c.token_hash == h)
    ).scalar()
    if merged != customer:
        raise NotFound("no such guest cart")
    return False
