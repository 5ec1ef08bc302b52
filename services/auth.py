"""API keys with roles, and the one rule for user ids.

Keys are random 256-bit tokens; only their SHA-256 is stored. The bootstrap admin key comes
from ``BLUEPRINT_ADMIN_API_KEY`` (generated under the data directory when unset). Any service
resolves the caller with the ``CurrentUser`` dependency and checks roles with
``require_roles``.

A user id is canonical (``canonical_user_id``): every system compares ids byte for byte, so
``ALICE`` and ``alice`` must not both exist. Keys are only issued for canonical ids, and keys
stored by older versions for other ids are refused.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from cachetools import LRUCache
from sqlalchemy import Column, DateTime, MetaData, String, Table, insert, select
from sqlalchemy.engine import Engine

from services.errors import Invalid, Unauthorized
from warehouse.emitter import Emitter
from warehouse.systems import PLATFORM

log = logging.getLogger(__name__)

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
    #: The bootstrap admin key (``BLUEPRINT_ADMIN_API_KEY``): it administers, and is no user.
    bootstrap: bool = False

    def has(self, *roles: str) -> bool:
        return "admin" in self.roles or any(r in self.roles for r in roles)


USER_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
USER_ID_RULE = (
    "1-64 characters: lowercase ASCII letters, digits, '_' or '-', starting with a letter or digit"
)
_USER_ID = re.compile(USER_ID_PATTERN[1:-1])


def is_canonical_user_id(user_id: str) -> bool:
    return _USER_ID.fullmatch(user_id) is not None


def canonical_user_id(user_id: str) -> str:
    """``user_id`` itself when it is canonical, else ``Invalid`` (422) saying what to use.

    The one rule for user ids (and so for social handles) everywhere: nothing is folded
    silently, so two spellings can never name two principals or one principal twice.
    """
    if is_canonical_user_id(user_id):
        return user_id
    folded = user_id.lower()
    if user_id.isascii() and is_canonical_user_id(folded):
        raise Invalid(f"user id {user_id!r} is not canonical: use {folded!r} ({USER_ID_RULE})")
    raise Invalid(f"user id {user_id[:80]!r} is not canonical: a user id is {USER_ID_RULE}")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyStore:
    def __init__(self, engine: Engine, admin_key: str, emitter: Emitter) -> None:
        self.engine = engine
        self.admin_hash = hash_key(admin_key)
        self.emitter = emitter
        metadata.create_all(engine)
        self.refused = self._audit_user_ids()
        self._resolved: LRUCache[str, Principal] = LRUCache(maxsize=100_000)
        self._lock = threading.Lock()

    def _audit_user_ids(self) -> frozenset[str]:
        """User ids of stored keys that are not canonical (keys from older versions), logged
        with what they collide with; their keys no longer resolve."""
        with self.engine.connect() as conn:
            ids = conn.execute(select(api_keys.c.user_id).distinct()).scalars().all()
        by_folded: dict[str, list[str]] = defaultdict(list)
        for user_id in ids:
            by_folded[user_id.lower()].append(user_id)
        bad = sorted(u for u in ids if not is_canonical_user_id(u))
        if bad:
            clashes = {u: sorted(set(by_folded[u.lower()]) - {u}) for u in bad}
            log.warning(
                "API keys refused: user ids not canonical (%s): %s",
                USER_ID_RULE,
                "; ".join(
                    f"{u!r}" + (f" (collides with {', '.join(map(repr, c))})" if c else "")
                    for u, c in clashes.items()
                ),
            )
        return frozenset(bad)

    def create(self, user_id: str, roles: set[str], *, issued_by: str) -> str:
        """A new API key for ``user_id`` (shown once; only its hash is stored).

        ``Invalid`` when ``user_id`` is not canonical (``canonical_user_id``).
        """
        canonical_user_id(user_id)
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

    def cached(self, key: str) -> Principal | None:
        """The principal of the admin key or of a key resolved before, with no I/O; ``None``
        when it would take a lookup. A stored key never changes (there is no revocation), so
        a resolved one stays valid; unknown keys are never cached, since another process may
        issue them at any time."""
        digest = hash_key(key)
        if secrets.compare_digest(digest, self.admin_hash):
            return Principal("admin", frozenset({"admin"}), digest[:12], bootstrap=True)
        with self._lock:
            return self._resolved.get(digest)

    def resolve(self, key: str) -> Principal | None:
        """The key's principal; ``None`` for an unknown key. A key whose user id is not
        canonical (stored by an older version) raises ``Unauthorized``."""
        known = self.cached(key)
        if known is not None:
            return known
        digest = hash_key(key)
        with self.engine.connect() as conn:
            row = conn.execute(select(api_keys).where(api_keys.c.key_hash == digest)).first()
        if row is None:
            return None
        if not is_canonical_user_id(row.user_id):
            raise Unauthorized(
                f"this API key is for user id {row.user_id!r}, which is not canonical "
                f"({USER_ID_RULE}); ask an admin for a key for a canonical id"
            )
        principal = Principal(row.user_id, frozenset(row.roles.split(",")), digest[:12])
        with self._lock:
            self._resolved[digest] = principal
        return principal
