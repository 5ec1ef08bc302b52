"""What names and free text the video system accepts.

Names (video and upload ids, rendition file names, ``Upload-Metadata`` values) end up in
paths, database keys and events: a NUL or any other control character in one makes the
request malformed (400), instead of a ``ValueError`` deep inside ``pathlib`` or a database
driver. Free text (comments, search queries, a rendition label) follows a domain rule (422):
valid Unicode (no lone surrogates, which cannot be stored as UTF-8) and no control characters
but tab and line breaks.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

from services.errors import BadRequest

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class MalformedName(BadRequest):
    """A name with a NUL, another control character or a lone surrogate in it (400)."""


def check_name(
    kind: str, value: str, headers: dict[str, str] | None = None, *, multiline: bool = False
) -> str:
    """``value`` unchanged, or :class:`MalformedName` naming ``kind`` (``headers`` go on the
    error response, e.g. the tus headers). ``multiline`` lets tab and line breaks through (a
    description)."""
    control = _TEXT_CONTROL if multiline else _CONTROL
    if control.search(value) or _SURROGATE.search(value):
        raise MalformedName(
            f"{kind} must not contain NUL, other control characters or lone surrogates",
            headers=headers,
        )
    return value


def check_text(value: str) -> str:
    """A pydantic validator for free text: ``ValueError`` (422) on lone surrogates or control
    characters other than tab, line feed and carriage return."""
    if _SURROGATE.search(value):
        raise ValueError("text must be valid Unicode (a lone surrogate is not)")
    if _TEXT_CONTROL.search(value):
        raise ValueError("text must not contain control characters (tab and newlines are fine)")
    return value


#: A ``str`` field or query parameter of free text (see :func:`check_text`).
CleanText = Annotated[str, AfterValidator(check_text)]


def clean_tags(raw: str) -> list[str]:
    """Comma-separated tags, lower-cased, de-duplicated, at most 20 of up to 32 characters."""
    tags: list[str] = []
    for tag in raw.split(","):
        t = re.sub(r"[^a-z0-9 _-]", "", tag.strip().lower())[:32].strip()
        if t and t not in tags:
            tags.append(t)
    return tags[:20]
