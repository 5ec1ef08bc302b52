"""Guest carts: the server issues each token and stores only its hash, so a well-formed token
it never issued is a 404, not an empty cart. The cart's lines are kept under ``guest:<hash>``
too, so no table holds the token itself. At login the cart merges into the customer's once;
the merged token then reads empty and takes no more lines (409).

A guest cart lives ``guest_cart_ttl_s`` from its issue: past that its token is a 404 like an
unknown one (checked on every access), and the sweeper deletes it with its lines (``purge``).
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.engine import Connection

from services.errors import Conflict, NotFound
from services.shop.store import carts, guest_carts

PREFIX = "guest:"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def owner_key(token: str) -> str:
    """The owner of a guest cart's lines: the token's hash, never the token."""
    return PREFIX + _hash(token)


def issue(conn: Connection, now: float) -> str:
    """A new guest cart's token (shown once; only its hash is kept)."""
    token = secrets.token_urlsafe(24)
    conn.execute(insert(guest_carts).values(token_hash=_hash(token), created_at=now))
    return token


def _live(token: str, now: float, ttl_s: float):
    g = guest_carts.c
    return and_(g.token_hash == _hash(token), g.created_at > now - ttl_s)


def owner(conn: Connection, token: str, now: float, ttl_s: float, *, writing: bool = False) -> str:
    """The cart owner of an issued, unexpired token: 404 if never issued or expired, 409 to
    write once merged."""
    row = conn.execute(select(guest_carts.c.merged_into).where(_live(token, now, ttl_s))).first()
    if row is None:
        raise NotFound("no such guest cart (never issued, or expired)")
    if writing and row.merged_into is not None:
        raise Conflict("this guest cart was merged into a customer's cart at login")
    return owner_key(token)


def claim(conn: Connection, token: str, customer: str, now: float, ttl_s: float) -> bool:
    """Mark the guest cart merged into ``customer``: True the first time; False when this
    customer merged it already (a retried login); 404 for anyone else, an unknown token or
    an expired one."""
    live = _live(token, now, ttl_s)
    if conn.execute(
        update(guest_carts)
        .where(and_(live, guest_carts.c.merged_into.is_(None)))
        .values(merged_into=customer)
    ).rowcount:
        return True
    merged = conn.execute(select(guest_carts.c.merged_into).where(live)).scalar()
    if merged != customer:
        raise NotFound("no such guest cart (never issued, or expired)")
    return False


def purge(conn: Connection, now: float, ttl_s: float, limit: int = 500) -> int:
    """Delete up to ``limit`` expired guest carts with their lines; how many."""
    g = guest_carts.c
    hashes = list(
        conn.execute(select(g.token_hash).where(g.created_at <= now - ttl_s).limit(limit)).scalars()
    )
    if not hashes:
        return 0
    conn.execute(delete(carts).where(carts.c.owner.in_([PREFIX + h for h in hashes])))
    conn.execute(delete(guest_carts).where(g.token_hash.in_(hashes)))
    return len(hashes)
