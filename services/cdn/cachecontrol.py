"""HTTP caching rules for a shared cache (RFC 9111): directives, freshness, storability.

Pure functions over header values, so the edge's hot path and the tests share one reading
of Cache-Control.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime

#: Status codes a shared cache may store (heuristically cacheable ones plus 203).
CACHEABLE_STATUS = frozenset({200, 203, 204, 300, 301, 404, 405, 410, 414, 501})

#: Share of (Date - Last-Modified) used as heuristic lifetime, capped (RFC 9111 §4.2.2).
HEURISTIC_FRACTION = 0.1
HEURISTIC_CAP_S = 86_400


def parse_cache_control(value: str | None) -> dict[str, str | None]:
    """``"max-age=60, no-cache"`` -> ``{"max-age": "60", "no-cache": None}`` (names lowercased)."""
    out: dict[str, str | None] = {}
    if not value:
        return out
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, arg = part.partition("=")
        name = name.strip().lower()
        out.setdefault(name, arg.strip().strip('"') if sep else None)
    return out


def seconds(directives: dict[str, str | None], name: str) -> int | None:
    """A delta-seconds directive as an int, or None when absent or malformed."""
    raw = directives.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        return None
    return max(value, 0)


def http_date(value: str | None) -> float | None:
    """An HTTP-date as a POSIX timestamp, or None when absent or invalid."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def format_http_date(ts: float | None = None) -> str:
    return formatdate(time.time() if ts is None else ts, usegmt=True)


@dataclass(frozen=True, slots=True)
class Policy:
    """What a response's headers allow a shared cache to do with it."""

    storable: bool
    lifetime: float  # freshness lifetime in seconds
    no_cache: bool  # store, but revalidate before every use
    must_revalidate: bool  # once stale, never serve it without a successful revalidation
    swr: float  # stale-while-revalidate window
    sie: float  # stale-if-error window

    def stale_ok_for_revalidate(self, staleness: float) -> bool:
        return not self.must_revalidate and not self.no_cache and staleness <= self.swr

    def stale_ok_on_error(self, staleness: float) -> bool:
        return not self.must_revalidate and staleness <= self.sie


def response_policy(
    status: int,
    headers: dict[str, str],
    *,
    method: str = "GET",
    request_cc: dict[str, str | None] | None = None,
    now: float | None = None,
) -> Policy:
    """The caching policy of one upstream response, from its (lowercased) headers.

    ``now`` stands in for a missing ``Date`` (the time the response arrived).
    """
    cc = parse_cache_control(headers.get("cache-control"))
    request_cc = request_cc or {}
    storable = (
        method in ("GET", "HEAD")
        and status in CACHEABLE_STATUS
        and "no-store" not in cc
        and "private" not in cc
        and "no-store" not in request_cc
        and headers.get("vary", "").strip() != "*"
        and "set-cookie" not in headers
    )
    lifetime = freshness_lifetime(status, headers, cc, now=now)
    if lifetime is None:
        lifetime = 0.0
        # Without explicit freshness or validators there is nothing to reuse.
        if not (headers.get("etag") or headers.get("last-modified")):
            storable = False
    return Policy(
        storable=storable,
        lifetime=float(lifetime),
        no_cache="no-cache" in cc,
        must_revalidate=any(d in cc for d in ("must-revalidate", "proxy-revalidate", "s-maxage")),
        swr=float(seconds(cc, "stale-while-revalidate") or 0),
        sie=float(seconds(cc, "stale-if-error") or 0),
    )


def freshness_lifetime(
    status: int,
    headers: dict[str, str],
    cc: dict[str, str | None] | None = None,
    *,
    now: float | None = None,
) -> float | None:
    """s-maxage, then max-age, then Expires - Date, then a Last-Modified heuristic."""
    cc = parse_cache_control(headers.get("cache-control")) if cc is None else cc
    now = time.time() if now is None else now
    for name in ("s-maxage", "max-age"):
        value = seconds(cc, name)
        if value is not None:
            return float(value)
    if "expires" in headers:
        expires = http_date(headers["expires"])
        date = http_date(headers.get("date")) or now
        return max(0.0, expires - date) if expires is not None else 0.0
    last_modified = http_date(headers.get("last-modified"))
    if last_modified is not None and status in (200, 203, 301, 404, 410):
        date = http_date(headers.get("date")) or now
        return min(HEURISTIC_CAP_S, max(0.0, (date - last_modified) * HEURISTIC_FRACTION))
    return None


def initial_age(headers: dict[str, str], request_time: float, response_time: float) -> float:
    """RFC 9111 §4.2.3 corrected age: the upstream Age plus the round trip.

    The apparent age from ``Date`` is left out: its one-second granularity would age
    short-lived objects by up to a second on a loopback tier where clocks are shared.
    """
    try:
        age_value = float(headers.get("age", "0") or 0)
    except ValueError:
        age_value = 0.0
    return max(0.0, age_value) + max(0.0, response_time - request_time)
