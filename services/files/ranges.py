"""HTTP Range and entity-tag headers for downloads and conditional writes (RFC 9110)."""

from __future__ import annotations

import re

from services.errors import BadRequest
from services.files.errors import RangeNotSatisfiable

_RANGE = re.compile(r"\A\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*\Z", re.IGNORECASE)
_ETAG = re.compile(r'\A\s*(?:W/)?"([\x21\x23-\x7e]*)"\s*\Z')


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``[start, end)`` of a single byte range, or None to send the whole file (no header,
    a header we may ignore: several ranges or another unit). 416 when the range lies wholly
    past the end."""
    if header is None:
        return None
    m = _RANGE.match(header)
    if m is None:
        return None
    first, last = m.group(1), m.group(2)
    if first == "" and last == "":
        return None
    if first == "":  # suffix: the last N bytes
        n = int(last)
        if n == 0:
            raise _unsatisfiable(size)
        return max(size - n, 0), size
    start = int(first)
    end = size if last == "" else min(int(last) + 1, size)
    if last != "" and int(last) < start:
        return None  # invalid range-spec: ignore the header
    if start >= size:
        raise _unsatisfiable(size)
    return start, end


def _unsatisfiable(size: int) -> RangeNotSatisfiable:
    return RangeNotSatisfiable(
        f"the file has {size} bytes", headers={"Content-Range": f"bytes */{size}"}
    )


def parse_etag(header: str | None) -> str | None:
    """The entity tag of an ``If-Match`` header (``"*"`` as is); 400 when malformed. Of a
    list, the first tag counts."""
    if header is None or header.strip() == "":
        return None
    if header.strip() == "*":
        return "*"
    first = header.split(",")[0]
    m = _ETAG.match(first)
    if m is None:
        raise BadRequest('entity tags are quoted: If-Match: "<etag>" (or *)')
    return m.group(1)


def quote(etag: str) -> str:
    return f'"{etag}"'
