"""API keys with roles.

Keys are random 256-bit tokens; only their SHA-256 is stored. The bootstrap admin key comes
from ``BLUEPRINT_ADMIN_API_KEY``. Any service resolves the caller with the ``CurrentUser``
dependency and checks roles with ``require_roles``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, MetaData, String, Table, insert, select
from sqlalchemy.engine import Engine

from services.errors import Invalid
from warehouse.emitter import Emitter
from warehouse.systems import PLATFORM

metadata = MetaData()

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("user_id", String(64), nullable=False, index=True),
    Column("roles", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

KNOWN_ROLES = frozenset({"admin", "user", "seller", "customer", "driver", "rider", "service"})


@dataclass(frozen=True)
class Principal:
    user_id: str
    roles: frozenset[str]
    key_id: str

    def has(self, *roles: str) -> bool:
        return "admin" in self.roles or any(r in self.roles for r in roles)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyStore:
    def __init__(self, engine: Engine, admin_key: str, emitter: Emitter) -> None:
        self.engine = engine
        self.admin_hash = hash_key(admin_key)
        self.emitter = emitter
        metadata.create_all(engine)

    def create(self, user_id: str, roles: set[str], *, issued_by: str) -> str:
        """A new API key for ``user_id`` (shown once; only its hash is stored)."""
        unknown = set(roles) - KNOWN_ROLES
        if unknown:
            raise Invalid(f"unknown roles: {sorted(unknown)}; known: {sorted(KNOWN_ROLES)}")
        key = "bp_" + secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(
                insert(api_keys).values(
                    key_hash=hash_key(key),
                    user_id=user_id,
                    roles=",".join(sorted(roles)),
                    created_at=datetime.now(UTC),
                )
            )
        self.emitter.emit(
            PLATFORM,
            "api_key_created",
            actor=issued_by,
            entity=user_id,
            attrs={"roles": sorted(roles)},
        )
        return key

    def resolve(self, key: str) -> Principal | None:
        digest = hash_key(key)
        if secrets.compare_digest(digest, self.admin_hash):
            return Principal("admin", frozenset({"admin"}), digest[:12])
        with self.engine.connect() as conn:
            row = conn.execute(select(api_keys).where(api_keys.c.key_hash == digest)).first()
        if row is None:
            return None
        return Principal(row.user_id, frozenset(row.roles.split(",")), digest[:12])
