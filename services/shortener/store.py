"""The shortener's table of links (SQLAlchemy Core; SQLite by default, PostgreSQL scaled out).

Times are UNIX seconds (floats) so the cached copy of a row needs no date parsing on the
redirect path.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    MetaData,
    String,
    Table,
    and_,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from services.errors import Conflict

metadata = MetaData()

links = Table(
    "shortener_links",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("url", String(2048), nullable=False),
    Column("owner", String(64), nullable=False),
    Column("custom", Boolean, nullable=False, default=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=True),
    Column("deleted_at", Float, nullable=True),
    Index("ix_shortener_links_owner", "owner"),
    Index("ix_shortener_links_expires", "expires_at"),
)


@dataclass(frozen=True)
class Link:
    code: str
    url: str
    owner: str
    custom: bool
    created_at: float
    expires_at: float | None
    deleted_at: float | None


class CodeTaken(Conflict):
    """The code already exists (any owner, live or deleted: codes are never reused)."""


class LinkStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    def insert(self, link: Link) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(links).values(**link.__dict__))
        except IntegrityError as exc:
            raise CodeTaken(f"code {link.code} is already taken") from exc

    def get(self, code: str) -> Link | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(links).where(links.c.code == code)).first()
        return None if row is None else Link(**row._mapping)

    def by_owner(self, owner: str, limit: int = 100) -> list[Link]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(links)
                .where(and_(links.c.owner == owner, links.c.deleted_at.is_(None)))
                .order_by(links.c.created_at.desc())
                .limit(limit)
            ).all()
        return [Link(**r._mapping) for r in rows]

    def mark_deleted(self, code: str, now: float) -> bool:
        with self.engine.begin() as conn:
            res = conn.execute(
                update(links)
                .where(and_(links.c.code == code, links.c.deleted_at.is_(None)))
                .values(deleted_at=now)
            )
        return res.rowcount > 0

    def expired_codes(self, now: float, limit: int = 10_000) -> list[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(links.c.code)
                .where(and_(links.c.expires_at.is_not(None), links.c.expires_at <= now))
                .limit(limit)
            ).all()
        return [r.code for r in rows]

    def purge(self, codes: list[str]) -> int:
        if not codes:
            return 0
        with self.engine.begin() as conn:
            return conn.execute(delete(links).where(links.c.code.in_(codes))).rowcount

    def live(self, limit: int = 10_000) -> list[Link]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(links).where(links.c.deleted_at.is_(None)).limit(limit)
            ).all()
        return [Link(**r._mapping) for r in rows]
