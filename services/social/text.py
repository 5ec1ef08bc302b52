"""Text as people type it: hashtags and mentions, post length, and what text may hold at all.

``CleanText`` is the shared pydantic type for free text at an API boundary (any system may
use it): a string without lone surrogates (they cannot be encoded as UTF-8, so no store, log or
event could hold them) and without NUL (PostgreSQL text refuses it). Both are refused with a
422 that says so, instead of failing deep in a store with a 500.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

MAX_POST_CHARS = 280
# A tag or mention starts the text or follows whitespace or opening punctuation, so URL
# fragments (x.org/#frag) and e-mail addresses (a@b.org) are not taken for one.
HASHTAG = re.compile(r"(?<![^\s(\[{,;:!?\"'])#(\w{1,64})", re.UNICODE)
MENTION = re.compile(r"(?<![^\s(\[{,;:!?\"'])@([A-Za-z0-9_.-]{1,64})")
_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def unsafe_text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored, or ``None`` when it can (no lone surrogate, no NUL)."""
    found = _UNSAFE.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return f"text holds a NUL character (at position {found.start()}); remove it"
    return (
        f"text holds a lone surrogate U+{ord(char):04X} (at position {found.start()}): "
        "that is not Unicode text and cannot be stored; send UTF-8 (surrogates only in pairs)"
    )


def _clean(value: object) -> object:
    # Before pydantic's own str checks, which would refuse a surrogate without saying why.
    if isinstance(value, str):
        problem = unsafe_text_problem(value)
        if problem is not None:
            raise PydanticCustomError("unsafe_text", problem)
    return value


CleanText = Annotated[str, BeforeValidator(_clean)]
"""A ``str`` without lone surrogates or NUL; anything else is a 422 saying which and where.
Combine with ``Field``/``Query`` limits: ``Annotated[CleanText, Field(max_length=100)]``."""


def hashtags(text: str) -> list[str]:
    """Distinct hashtags, lower-cased, in order of first appearance (numbers alone are not tags)."""
    seen: dict[str, None] = {}
    for tag in HASHTAG.findall(text):
        if not tag.isdigit():
            seen.setdefault(tag.lower(), None)
    return list(seen)


def mentions(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for handle in MENTION.findall(text):
        seen.setdefault(handle.rstrip(".").lower(), None)
    return list(seen)


def validate_post_text(text: str) -> str:
    """The text to store, or ``ValueError`` with a message for the caller.

    Length is counted in Unicode code points after trimming, as people count characters.
    """
    problem = unsafe_text_problem(text)
    if problem is not None:
        raise ValueError(problem)
    stripped = text.strip()
    if not stripped:
        raise ValueError("a post cannot be empty")
    if len(stripped) > MAX_POST_CHARS:
        raise ValueError(f"a post has at most {MAX_POST_CHARS} characters, got {len(stripped)}")
    return stripped
