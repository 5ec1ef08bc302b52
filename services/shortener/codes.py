"""Short codes: 7 base62 characters taken from a SHA-256 of the target, owner and a salt.

A hash (not a counter) keeps codes unguessable in sequence and needs no coordination between
servers; 62^7 = 3.5e12 codes make a collision rare, and on one the next salt is tried.
"""

from __future__ import annotations

import hashlib
import re

from services.errors import Invalid

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
CODE_LENGTH = 7
ALIAS_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{2,31}$")
RESERVED = frozenset(
    {
        "admin",
        "api",
        "app",
        "auth",
        "cache",
        "docs",
        "health",
        "healthz",
        "help",
        "links",
        "login",
        "logout",
        "metrics",
        "openapi",
        "redoc",
        "s",
        "settings",
        "shortener",
        "static",
        "stats",
        "status",
        "www",
    }
)


def base62(n: int, length: int = CODE_LENGTH) -> str:
    """``n`` in base62, the lowest ``length`` digits, zero-padded."""
    out = []
    for _ in range(length):
        n, r = divmod(n, 62)
        out.append(ALPHABET[r])
    return "".join(reversed(out))


def code_for(url: str, owner: str, attempt: int = 0) -> str:
    """The candidate code for ``url``; ``attempt`` is the salt used after a collision."""
    digest = hashlib.sha256(f"{owner}\x00{url}\x00{attempt}".encode()).digest()
    return base62(int.from_bytes(digest[:8], "big"))


class InvalidAlias(Invalid):
    """A custom alias that cannot be used; the message says why."""


def check_alias(alias: str) -> str:
    """Return ``alias`` if usable: 3-32 of ``A-Z a-z 0-9 _ -``, not a reserved word."""
    if not ALIAS_RE.fullmatch(alias):
        raise InvalidAlias(
            "alias must be 3-32 characters of letters, digits, '_' or '-', starting with a "
            "letter or digit"
        )
    if alias.lower() in RESERVED:
        raise InvalidAlias(f"alias {alias!r} is a reserved word")
    return alias
