"""tus 1.0 core protocol pieces (https://tus.io/protocols/resumable-upload): version
headers, ``Upload-Metadata`` parsing, and the checks every request shares.

Every failure is a :class:`services.errors.DomainError` that carries the tus headers
(``Tus-Resumable``, and ``Upload-Offset`` where the client needs it to resume), so the app's
one problem handler answers tus clients in their protocol.
"""

from __future__ import annotations

import base64
import binascii
import re

from services.errors import (
    BadRequest,
    DomainError,
    Invalid,
    PreconditionFailed,
    Unauthorized,
    Unsupported,
)

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination"
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
#: Offsets and lengths are stored as 64-bit signed integers.
MAX_INT64 = 2**63 - 1
_KEY = re.compile(r"\A[A-Za-z0-9_.-]{1,64}\Z")
_DIGITS = re.compile(r"\A[0-9]+\Z")


class MalformedHeader(BadRequest):
    """A tus header the protocol cannot read (400, as the tus specification asks)."""


def tus_headers(**extra: str) -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store", **extra}


def tus_error(kind: type[DomainError], message: str, **extra: str) -> DomainError:
    """A domain error of ``kind`` whose response carries the tus headers (plus ``extra``)."""
    return kind(message, headers=tus_headers(**extra))


def tus_unauthorized(message: str) -> Unauthorized:
    """401 (with ``WWW-Authenticate``) that still speaks tus."""
    error = Unauthorized(message)
    error.headers.update(tus_headers())
    return error


def require_tus(tus_resumable: str | None) -> None:
    """412 unless the client speaks our protocol version (OPTIONS is exempt)."""
    if tus_resumable != TUS_VERSION:
        raise PreconditionFailed(
            f"Tus-Resumable must be {TUS_VERSION} (got {tus_resumable!r})",
            headers={"Tus-Version": TUS_VERSION, "Tus-Resumable": TUS_VERSION},
        )


def require_offset_content_type(content_type: str | None) -> None:
    """415 unless a PATCH body is declared ``application/offset+octet-stream``."""
    if (content_type or "").split(";")[0].strip().lower() != OFFSET_CONTENT_TYPE:
        raise tus_error(Unsupported, f"Content-Type must be {OFFSET_CONTENT_TYPE}")


def parse_metadata(header: str | None, max_len: int = 8192) -> dict[str, str]:
    """``key b64value,key2 b64value2`` -> dict; 400 on malformed or duplicate keys."""
    if not header:
        return {}
    if len(header) > max_len:
        raise tus_error(MalformedHeader, f"Upload-Metadata longer than {max_len} characters")
    out: dict[str, str] = {}
    for pair in header.split(","):
        parts = pair.strip().split(" ")
        key = parts[0]
        if not _KEY.match(key) or len(parts) > 2 or key in out:
            raise tus_error(
                MalformedHeader, f"malformed Upload-Metadata pair {pair.strip()[:80]!r}"
            )
        try:
            value = (
                base64.b64decode(parts[1], validate=True).decode("utf-8") if len(parts) == 2 else ""
            )
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise tus_error(
                MalformedHeader, f"Upload-Metadata value of {key!r} is not base64 UTF-8"
            ) from exc
        out[key] = value
    return out


def encode_metadata(meta: dict[str, str]) -> str:
    """The inverse of :func:`parse_metadata` (for clients and tests)."""
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in meta.items())


def parse_int_header(name: str, value: str | None) -> int:
    """A non-negative decimal: 400 when it is not one (the header is malformed), 422 when it
    is past what a 64-bit offset holds."""
    if value is None or not _DIGITS.match(value):
        raise tus_error(MalformedHeader, f"{name} must be a non-negative integer")
    if len(value.lstrip("0")) > len(str(MAX_INT64)) or int(value) > MAX_INT64:
        raise tus_error(Invalid, f"{name} must be at most {MAX_INT64}")
    return int(value)


def parse_upload_length(value: str | None) -> int:
    """``Upload-Length`` of a creation request (deferred length is not offered)."""
    if value is None:
        raise tus_error(
            MalformedHeader, "Upload-Length is required (deferred length is not supported)"
        )
    return parse_int_header("Upload-Length", value)
