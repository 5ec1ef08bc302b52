"""Share links: a token of 256 random bits that grants read (or read and write) access to one
file or folder of its owner's tree, until it expires or is revoked.

Only the token's SHA-256 is stored, so the table leaks no usable link. An optional password is
hashed with Argon2id (argon2-cffi). A token that never existed, has expired or was revoked gets
the same 404, so probing cannot tell them apart; failed lookups are rate-limited per client
(429 with Retry-After) so tokens cannot be guessed at speed (at 2^256 they cannot be anyway,
but short passwords can).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import deque
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import insert, select, update

from services.errors import Invalid, NotFound, RateLimited, Unauthorized
from services.files import names
from services.files.store import new_id
from services.files.tables import shares

RIGHTS = ("read", "write")
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Share:
    id: str
    owner: str
    path: str
    rights: str
    expires: float | None
    has_password: bool
    revoked: bool
    created: float

    def public(self) -> dict:
        return {
            "id": self.id,
            "path": self.path,
            "rights": self.rights,
            "expires": self.expires,
            "has_password": self.has_password,
            "revoked": self.revoked,
            "created": self.created,
        }

    def inside(self, rel: str) -> str:
        """The owner's path of ``rel`` within a shared folder (``""``: the share itself)."""
        return names.join(self.path, names.normalize(rel)) if rel else self.path


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class GuessLimiter:
    """At most ``limit`` failed lookups per client in any 60 seconds."""

    def __init__(self, limit: int, window_s: float = 60.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, client: str, now: float) -> None:
        with self._lock:
            q = self._fails.get(client)
            while q and q[0] <= now - self.window_s:
                q.popleft()
            if q is not None and len(q) >= self.limit:
                raise RateLimited(
                    "too many failed share lookups; retry later", q[0] + self.window_s - now
                )

    def fail(self, client: str, now: float) -> None:
        with self._lock:
            if len(self._fails) > 100_000:
                self._fails.clear()
            self._fails.setdefault(client, deque()).append(now)


class ShareBook:
    """Creates, lists, revokes and resolves share links over the files tables."""

    def __init__(self, engine, guess_limit: int) -> None:
        self.engine = engine
        self.limiter = GuessLimiter(guess_limit)

    def create(
        self,
        owner: str,
        path: str,
        rights: str,
        now: float,
        *,
        expires_in_s: float | None = None,
        password: str | None = None,
    ) -> tuple[Share, str]:
        """A new link; returns it and its token (shown this once, never stored)."""
        if rights not in RIGHTS:
            raise Invalid(f"rights must be one of {RIGHTS}")
        token = secrets.token_urlsafe(32)
        share = Share(
            new_id(),
            owner,
            path,
            rights,
            None if expires_in_s is None else now + expires_in_s,
            bool(password),
            False,
            now,
        )
        with self.engine.begin() as conn:
            conn.execute(
                insert(shares).values(
                    id=share.id,
                    token_hash=_digest(token),
                    owner=owner,
                    path=path,
                    rights=rights,
                    expires=share.expires,
                    password_hash=_hasher.hash(password) if password else None,
                    revoked=False,
                    created=now,
                )
            )
        return share, token

    def list(self, owner: str) -> list[Share]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(shares).where(shares.c.owner == owner).order_by(shares.c.created.desc())
            )
            return [self._share(r) for r in rows]

    def revoke(self, owner: str, share_id: str) -> None:
        with self.engine.begin() as conn:
            res = conn.execute(
                update(shares)
                .where(shares.c.id == share_id, shares.c.owner == owner)
                .values(revoked=True)
            )
        if res.rowcount != 1:
            raise NotFound(f"no share {share_id}")

    def resolve(self, token: str, password: str | None, client: str, now: float) -> Share:
        """The live share of ``token``; 404 for unknown, expired and revoked alike; 401 for
        a missing or wrong password; 429 after too many failures from ``client``."""
        self.limiter.check(client, now)
        with self.engine.connect() as conn:
            row = conn.execute(select(shares).where(shares.c.token_hash == _digest(token))).first()
        if row is None or row.revoked or (row.expires is not None and row.expires <= now):
            self.limiter.fail(client, now)
            raise NotFound("no such share link")
        if row.password_hash:
            try:
                _hasher.verify(row.password_hash, password or "")
            except (VerificationError, InvalidHashError):
                self.limiter.fail(client, now)
                raise Unauthorized(
                    "this share link needs its password (X-Share-Password)"
                ) from None
        return self._share(row)

    @staticmethod
    def _share(row) -> Share:
        return Share(
            row.id,
            row.owner,
            row.path,
            row.rights,
            row.expires,
            row.password_hash is not None,
            bool(row.revoked),
            row.created,
        )
