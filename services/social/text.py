"""Hashtags and mentions, parsed the way people type them."""

from __future__ import annotations

import re

MAX_POST_CHARS = 280
# A tag or mention starts the text or follows whitespace or opening punctuation, so URL
# fragments (x.org/#frag) and e-mail addresses (a@b.org) are not taken for one.
HASHTAG = re.compile(r"(?<![^\s(\[{,;:!?\"'])#(\w{1,64})", re.UNICODE)
MENTION = re.compile(r"(?<![^\s(\[{,;:!?\"'])@([A-Za-z0-9_.-]{1,64})")


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
    stripped = text.strip()
    if not stripped:
        raise ValueError("a post cannot be empty")
    if len(stripped) > MAX_POST_CHARS:
        raise ValueError(f"a post has at most {MAX_POST_CHARS} characters, got {len(stripped)}")
    return stripped
