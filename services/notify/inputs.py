"""What callers may put into the notification system: text, template data, idempotency keys.

Everything a caller sends ends up in the store (SQLite or PostgreSQL), in the request
fingerprint (orjson) and in provider payloads. These checks turn what those cannot carry
into a clear ``Invalid`` (422) before anything is stored:

- text must be valid Unicode without NUL: no lone surrogates (``"\\ud800"``, which JSON
  allows but UTF-8 cannot encode) and no ``"\\x00"`` (PostgreSQL text cannot hold it);
- template data is JSON: objects with string keys, arrays, strings, booleans, null, finite
  numbers, integers within 64 bits (what orjson and SQL integers hold), nested at most
  ``MAX_DATA_DEPTH`` deep.

An ``Idempotency-Key`` that is present must be 1 to ``MAX_IDEMPOTENCY_KEY`` printable ASCII
characters (``BadIdempotencyKey``, 400): an empty key is not "no key".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from services.errors import Invalid
from services.notify.errors import BadIdempotencyKey

MIN_INT = -(2**63)
MAX_INT = 2**63 - 1  # signed 64 bits: SQLite INTEGER, PostgreSQL BIGINT, orjson
MAX_DATA_DEPTH = 16
MAX_IDEMPOTENCY_KEY = 200  # the width of notify_notifications.idem_key
CATEGORY_NAME = r"[a-z0-9_.-]{1,64}"
CATEGORY = rf"^{CATEGORY_NAME}$"  # for pydantic (its ``$`` is the end of the text)


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or None when it can."""
    if "\x00" in value:
        return "contains a NUL character (\\u0000)"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate (e.g. \\ud800), which is not valid Unicode text"
    return None


def check_text(value: str, what: str) -> str:
    """``value`` itself, or ``Invalid`` naming ``what`` when it cannot be stored as text."""
    problem = text_problem(value)
    if problem is not None:
        raise Invalid(f"{what} {problem}")
    return value


def check_data(data: Mapping[str, Any], what: str = "data") -> None:
    """Raise ``Invalid`` unless ``data`` is a JSON object the store and orjson can hold."""
    if not isinstance(data, Mapping):
        raise Invalid(f"{what} must be a JSON object")
    _check_value(data, what, 0)


def _check_value(value: Any, path: str, depth: int) -> None:
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str):
        check_text(value, path)
    elif isinstance(value, int):
        if not MIN_INT <= value <= MAX_INT:
            raise Invalid(
                f"{path} is an integer outside the signed 64-bit range "
                f"[{MIN_INT}, {MAX_INT}]; send large numbers as strings"
            )
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise Invalid(f"{path} must be a finite number (not NaN or infinity)")
    elif isinstance(value, Mapping | list | tuple):
        if depth >= MAX_DATA_DEPTH:
            raise Invalid(f"{path} is nested more than {MAX_DATA_DEPTH} levels deep")
        if isinstance(value, Mapping):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise Invalid(f"{path} has a key that is not a string: {key!r}")
                check_text(key, f"a key in {path}")
                _check_value(item, f"{path}[{key!r}]", depth + 1)
        else:
            for i, item in enumerate(value):
                _check_value(item, f"{path}[{i}]", depth + 1)
    else:
        raise Invalid(
            f"{path} is a {type(value).__name__}; use JSON values "
            "(object, array, string, number, true, false, null)"
        )


def check_idempotency_key(key: str | None) -> str | None:
    """``key`` itself when absent (None) or usable; ``BadIdempotencyKey`` (400) otherwise."""
    if key is None:
        return None
    if not key.strip():
        wrong = "is empty"
    elif len(key) > MAX_IDEMPOTENCY_KEY:
        wrong = f"is {len(key)} characters long"
    elif not all(" " <= c <= "~" for c in key) or key.strip() != key:
        wrong = "has characters other than printable ASCII, or leading/trailing spaces"
    else:
        return key
    raise BadIdempotencyKey(
        f"Idempotency-Key {wrong}: use 1 to {MAX_IDEMPOTENCY_KEY} printable ASCII characters "
        "(letters, digits, punctuation, inner spaces; a UUID works), or omit the header to "
        "send without idempotency"
    )
