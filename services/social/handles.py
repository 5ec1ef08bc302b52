"""Handles: a social handle is exactly its owner's canonical user id.

The rule is the platform's one rule for user ids (``services.auth``); handles are compared byte
for byte and never folded, so ``ALICE`` can never act as, read as or be created beside
``alice``. A non-canonical handle is refused with the canonical form when there is one.
``Handle`` is the pydantic type for handles at the API boundary (422); ``audit_handles``
reports stored handles that break the rule (rows written before it).
"""

from __future__ import annotations

import logging
from typing import Annotated

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from services.auth import USER_ID_PATTERN, USER_ID_RULE, is_canonical_user_id
from services.social import tables as t

log = logging.getLogger(__name__)
SHOWN = 50  # handles named per log line


def handle_problem(handle: str) -> str | None:
    """Why ``handle`` is not a canonical handle (saying what to use), or ``None`` when it is."""
    if is_canonical_user_id(handle):
        return None
    shown = repr(handle[:80])
    folded = handle.lower()
    if handle.isascii() and is_canonical_user_id(folded):
        return f"handle {shown} is not canonical: use {folded!r} (a handle is {USER_ID_RULE})"
    return f"handle {shown} is not canonical: a handle is {USER_ID_RULE}"


def _canonical(value: object) -> object:
    # Before pydantic's own str checks, so every bad handle gets the same clear message.
    if isinstance(value, str):
        problem = handle_problem(value)
        if problem is not None:
            raise PydanticCustomError("handle", problem)
    return value


Handle = Annotated[str, BeforeValidator(_canonical)]
"""A canonical handle; anything else is a 422 naming the canonical form."""


# A cheap prefilter in the database; ``is_canonical_user_id`` has the last word.
_NON_CANONICAL_SQL = {
    "sqlite": "handle GLOB '*[^a-z0-9_-]*' OR handle GLOB '[_-]*' "
    "OR length(handle) NOT BETWEEN 1 AND 64",
    "postgresql": f"handle !~ '{USER_ID_PATTERN}'",
}


def _named(handles: list[str]) -> str:
    shown = ", ".join(repr(h) for h in handles[:SHOWN])
    return shown + (f" and {len(handles) - SHOWN} more" if len(handles) > SHOWN else "")


def audit_handles(engine: Engine) -> tuple[list[list[str]], list[str]]:
    """Stored handles that break the rule, logged as warnings (never an error: the store
    keeps serving every canonical handle exactly, and folds none onto another).

    Returns ``(collisions, non_canonical)``: groups of handles equal but for letter case, and
    handles that are not canonical (unreachable through the API until renamed).
    """
    users = t.users.c
    folded = func.lower(users.handle)
    clashing = select(folded).group_by(folded).having(func.count() > 1)
    where = _NON_CANONICAL_SQL.get(engine.dialect.name, "1 = 1")
    with engine.connect() as conn:
        rows = conn.execute(
            select(folded, users.handle).where(folded.in_(clashing)).order_by(folded, users.handle)
        ).all()
        suspects = conn.execute(select(users.handle).where(text(where))).scalars().all()
    groups: dict[str, list[str]] = {}
    for key, handle in rows:
        groups.setdefault(key, []).append(handle)
    collisions = list(groups.values())
    non_canonical = sorted(h for h in suspects if not is_canonical_user_id(h))
    if collisions:
        log.warning(
            "%d groups of social handles collide when letter case is ignored (each is served "
            "only under its exact spelling, never folded): %s",
            len(collisions),
            "; ".join(" ~ ".join(repr(h) for h in g) for g in collisions[:SHOWN]),
        )
    if non_canonical:
        log.warning(
            "%d social handles are not canonical (%s) and cannot be reached through the API "
            "until renamed: %s",
            len(non_canonical),
            USER_ID_RULE,
            _named(non_canonical),
        )
    return collisions, non_canonical
