"""HTTP caching rules for a shared cache (RFC 9111, RFC 9213): directives, dates, freshness,
age and storability.

Pure functions over header values, so the edge's hot path and the tests share one reading
of Cache-Control. Header dicts here are lowercased names mapped to the field's combined value
(field lines joined with ``", "``, RFC 9110 §5.3).

``CDN-Cache-Control`` is a Structured Field dictionary (RFC 8941); it is parsed with
``http_sf`` (the reference parser by the RFC's author) so that a malformed field is ignored
whole, as RFC 9213 §2.1 asks.
"""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass
from email.utils import formatdate

import http_sf

from services.cdn.surrogate import surrogate_directives

#: Status codes a response may be stored with heuristic freshness for (RFC 9110 §15.1).
HEURISTIC_STATUS = frozenset({200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501})
#: Status codes this cache understands (for ``must-understand``, RFC 9111 §5.2.2.3).
UNDERSTOOD_STATUS = frozenset(
    {200, 203, 204, 300, 301, 302, 303, 307, 308, 400, 403, 404, 405, 410, 414, 500}
    | {501, 502, 503, 504}
)
#: Kept for callers that ask which statuses are cacheable without explicit freshness.
CACHEABLE_STATUS = HEURISTIC_STATUS

#: Share of (Date - Last-Modified) used as heuristic lifetime, capped (RFC 9111 §4.2.2).
HEURISTIC_FRACTION = 0.1
HEURISTIC_CAP_S = 86_400
#: delta-seconds larger than this are read as this (RFC 9111 §1.2.2).
DELTA_MAX = 2**31

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def split_list(value: str) -> list[str]:
    """Split a comma-separated field value, keeping commas inside quoted strings."""
    parts: list[str] = []
    buf: list[str] = []
    quoted = escaped = False
    for ch in value:
        if escaped:
            buf.append(ch)
            escaped = False
        elif quoted and ch == "\\":
            buf.append(ch)
            escaped = True
        elif ch == '"':
            buf.append(ch)
            quoted = not quoted
        elif ch == "," and not quoted:
            parts.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf).strip())
    return [p for p in parts if p]


def _unquote(value: str) -> str | None:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value if _TOKEN.fullmatch(value) else None


def parse_cache_control(value: str | None) -> dict[str, str | None]:
    """``'max-age=60, no-cache'`` -> ``{"max-age": "60", "no-cache": None}``.

    Names are lowercased; a name is a token with no space before ``=`` and an argument a token
    or a quoted string with no space after it (RFC 9111 §5.2). Anything else (``max-age =5``,
    ``max-age= 5``) is an unknown extension and ignored. The first occurrence of a directive
    wins. A quoted string may hold commas and directive-like text without effect.
    """
    out: dict[str, str | None] = {}
    if not value:
        return out
    for part in split_list(value):
        name, sep, arg = part.partition("=")
        if not _TOKEN.fullmatch(name):
            continue
        name = name.lower()
        if not sep:
            out.setdefault(name, None)
            continue
        unquoted = _unquote(arg)
        if unquoted is not None:
            out.setdefault(name, unquoted)
    return out


def seconds(directives: dict[str, str | None], name: str) -> int | None:
    """A delta-seconds directive (ASCII digits only) as an int capped at 2^31, or None when
    absent or malformed (``a100``, ``100a``, ``-5``, ``1.5``)."""
    raw = directives.get(name)
    if raw is None or not (raw.isascii() and raw.isdigit()):
        return None
    return min(int(raw), DELTA_MAX)


def field_names(directives: dict[str, str | None], name: str) -> frozenset[str]:
    """The field names a qualified ``no-cache="a, b"`` or ``private="a"`` lists."""
    raw = directives.get(name)
    if not raw:
        return frozenset()
    return frozenset(n.strip().lower() for n in raw.split(",") if n.strip())


# -- HTTP-date (RFC 9110 §5.6.7) ------------------------------------------------------------
_MONTHS = {m: i for i, m in enumerate(calendar.month_abbr) if m}
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_LONG_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TIME = r"(\d\d):(\d\d):(\d\d)"
_IMF = re.compile(rf"([A-Za-z]{{3}}), (\d\d) ([A-Za-z]{{3}}) (\d{{4}}) {_TIME} GMT", re.I)
_RFC850 = re.compile(rf"([A-Za-z]+), (\d\d)-([A-Za-z]{{3}})-(\d\d) {_TIME} GMT", re.I)
_ASCTIME = re.compile(rf"([A-Za-z]{{3}}) ([A-Za-z]{{3}}) ([ \d]\d) {_TIME} (\d{{4}})", re.I)


def _month(name: str) -> int | None:
    return _MONTHS.get(name.capitalize())


def http_date(value: str | None, *, now: float | None = None) -> float | None:
    """An HTTP-date as a POSIX timestamp, or None when absent or invalid.

    Accepts the three forms a recipient must (IMF-fixdate, RFC 850, asctime) with any letter
    case, and nothing else: other zones, two-digit years in the IMF form, missing commas,
    extra spaces and one-digit hours are invalid. An RFC 850 two-digit year more than 50
    years in the future is read as the past century.
    """
    if not value:
        return None
    value = value.strip()
    if m := _IMF.fullmatch(value):
        wday, day, mon, year, hh, mm, ss = m.groups()
        if wday.capitalize() not in _DAYS:
            return None
    elif m := _RFC850.fullmatch(value):
        wday, day, mon, yy, hh, mm, ss = m.groups()
        if wday.capitalize() not in _LONG_DAYS:
            return None
        this_year = time.gmtime(time.time() if now is None else now).tm_year
        year = str(this_year // 100 * 100 + int(yy))
        if int(year) > this_year + 50:
            year = str(int(year) - 100)
    elif m := _ASCTIME.fullmatch(value):
        wday, mon, day, hh, mm, ss, year = m.groups()
        if wday.capitalize() not in _DAYS:
            return None
    else:
        return None
    month = _month(mon)
    if month is None:
        return None
    try:
        fields = (int(year), month, int(day), int(hh), int(mm), int(ss))
        if not (1 <= fields[2] <= 31 and fields[3] < 24 and fields[4] < 60 and fields[5] <= 60):
            return None
        return float(calendar.timegm((*fields, 0, 0, 0)))
    except (ValueError, OverflowError):
        return None


def format_http_date(ts: float | None = None) -> str:
    return formatdate(time.time() if ts is None else ts, usegmt=True)


def age_value(headers: dict[str, str]) -> float:
    """The ``Age`` field: the first member when several were sent, ignored (0) unless it is
    a non-negative integer (RFC 9111 §5.1); capped at 2^31."""
    raw = headers.get("age")
    if not raw:
        return 0.0
    first = raw.split(",", 1)[0].strip()
    if not (first.isascii() and first.isdigit()):
        return 0.0
    return float(min(int(first), DELTA_MAX))


# -- CDN-Cache-Control (RFC 9213) -----------------------------------------------------------
def parse_cdn_cache_control(value: str | None) -> dict[str, str | None] | None:
    """``CDN-Cache-Control`` as directives, or None when absent or not a valid Structured
    Field dictionary (then the response is handled by ``Cache-Control`` alone).

    Delta-seconds directives must be Integers (``max-age="5"`` is not); booleans such as
    ``no-store`` become valueless directives.
    """
    if value is None:
        return None
    try:
        parsed = http_sf.parse(value.encode("latin-1"), tltype="dictionary")
    except Exception:  # http_sf raises ValueError or its own errors on malformed input
        return None
    if not isinstance(parsed, dict):
        return None
    out: dict[str, str | None] = {}
    for name, member in parsed.items():
        item = member[0] if isinstance(member, tuple) else member
        if item is True:
            out[name] = None
        elif isinstance(item, (bool, list)):
            continue
        elif isinstance(item, int):
            out[name] = str(item) if item >= 0 else "-1"
        elif name in ("max-age", "s-maxage", "stale-while-revalidate", "stale-if-error"):
            return None  # wrong type for a delta-seconds directive: ignore the field
        else:
            out[name] = str(item)
    return out


def response_directives(headers: dict[str, str]) -> tuple[dict[str, str | None], bool]:
    """The directives that govern this shared cache: ``CDN-Cache-Control`` when valid (RFC
    9213 §2.1: then ``Cache-Control`` and ``Expires`` are ignored for caching), else the
    caching directives ``Surrogate-Control`` addresses to every surrogate
    (``services.cdn.surrogate``), else ``Cache-Control``. Returns (directives,
    from_targeted_field)."""
    cdn = parse_cdn_cache_control(headers.get("cdn-cache-control"))
    if cdn is not None:
        return cdn, True
    surrogate = surrogate_directives(headers.get("surrogate-control"))
    if surrogate is not None:
        return surrogate, True
    return parse_cache_control(headers.get("cache-control")), False


@dataclass(frozen=True, slots=True)
class Policy:
    """What a response's headers allow a shared cache to do with it."""

    storable: bool
    lifetime: float  # freshness lifetime in seconds
    no_cache: bool  # store, but revalidate before every use
    must_revalidate: bool  # once stale, never serve it without a successful revalidation
    swr: float  # stale-while-revalidate window
    sie: float  # stale-if-error window
    strip: frozenset[str] = frozenset()  # fields not to keep: no-cache="..", private=".."

    def stale_ok_for_revalidate(self, staleness: float) -> bool:
        return not self.must_revalidate and not self.no_cache and staleness <= self.swr

    def stale_ok_on_error(
        self, staleness: float, request_sie: float | None = None, disconnected: float = 0.0
    ) -> bool:
        """May a stale response stand in for an upstream error? Within ``stale-if-error``
        (RFC 5861 §4), or within ``disconnected`` seconds when the upstream could not be
        reached at all (RFC 9111 §4.2.4 lets a disconnected cache serve stale), and never
        when ``must-revalidate``, ``proxy-revalidate``, ``s-maxage`` or ``no-cache`` forbid
        it (§4.2.4, §5.2.2)."""
        window = max(self.sie, request_sie or 0.0, disconnected)
        return not self.must_revalidate and not self.no_cache and staleness <= window


def response_policy(
    status: int,
    headers: dict[str, str],
    *,
    method: str = "GET",
    request_headers: dict[str, str] | None = None,
    now: float | None = None,
) -> Policy:
    """The caching policy of one upstream response, from its (lowercased) headers.

    Storable (RFC 9111 §3) when: the method is GET or HEAD; the status is final and not 206
    or 304; no ``no-store`` (unless ``must-understand`` with a status understood here), no
    unqualified ``private``; ``Vary`` is not ``*``; the request had no ``Authorization``
    unless ``public``, ``must-revalidate`` or ``s-maxage`` allow it (§3.5); and there is
    explicit freshness, ``public``, or a heuristically cacheable status. Responses that
    could never be reused (no freshness and no validator) are not kept either.

    ``now`` stands in for a missing or invalid ``Date`` (the time the response arrived).
    """
    cc, from_cdn = response_directives(headers)
    request_headers = request_headers or {}
    no_store = "no-store" in cc
    if "must-understand" in cc:
        no_store = status not in UNDERSTOOD_STATUS
    private = "private" in cc and not cc["private"]
    explicit = (
        "max-age" in cc
        or "s-maxage" in cc
        or "public" in cc
        or (not from_cdn and "expires" in headers)
    )
    authorized = "authorization" in request_headers and not (
        "public" in cc or "must-revalidate" in cc or "s-maxage" in cc
    )
    storable = (
        method in ("GET", "HEAD")
        and 200 <= status <= 599
        and status not in (206, 304)
        and not no_store
        and not private
        and not authorized
        and not _vary_star(headers.get("vary"))
        and (explicit or status in HEURISTIC_STATUS)
    )
    lifetime = freshness_lifetime(status, headers, cc, from_cdn=from_cdn, now=now)
    if lifetime is None:
        lifetime = 0.0
        if not (headers.get("etag") or headers.get("last-modified")):
            storable = False  # nothing to reuse without freshness or a validator
    return Policy(
        storable=storable,
        lifetime=float(lifetime),
        no_cache="no-cache" in cc and not cc["no-cache"],
        must_revalidate=any(d in cc for d in ("must-revalidate", "proxy-revalidate", "s-maxage")),
        swr=float(seconds(cc, "stale-while-revalidate") or 0),
        sie=float(seconds(cc, "stale-if-error") or 0),
        strip=field_names(cc, "no-cache") | field_names(cc, "private"),
    )


def _vary_star(value: str | None) -> bool:
    return bool(value) and any(v.strip() == "*" for v in value.split(","))


def freshness_lifetime(
    status: int,
    headers: dict[str, str],
    cc: dict[str, str | None] | None = None,
    *,
    from_cdn: bool = False,
    now: float | None = None,
) -> float | None:
    """RFC 9111 §4.2.1: s-maxage, then max-age, then Expires - Date (an invalid Expires
    means already expired), then a Last-Modified heuristic; None when there is none."""
    if cc is None:
        cc, from_cdn = response_directives(headers)
    now = time.time() if now is None else now
    for name in ("s-maxage", "max-age"):
        if name in cc:
            value = seconds(cc, name)
            return float(value) if value is not None else 0.0
    if not from_cdn and "expires" in headers:
        expires = http_date(_single(headers["expires"]), now=now)
        if expires is None:
            return 0.0
        date = http_date(headers.get("date"), now=now)
        return max(0.0, expires - (date if date is not None else now))
    last_modified = http_date(headers.get("last-modified"), now=now)
    if last_modified is not None and (status in HEURISTIC_STATUS or "public" in cc):
        date = http_date(headers.get("date"), now=now)
        date = date if date is not None else now
        return min(HEURISTIC_CAP_S, max(0.0, (date - last_modified) * HEURISTIC_FRACTION))
    return None


def _single(value: str) -> str:
    """A date field sent on several lines is invalid: keep it so, rather than read one."""
    return value if value.count(",") <= 1 else ""


def initial_age(headers: dict[str, str], request_time: float, response_time: float) -> float:
    """RFC 9111 §4.2.3 corrected initial age: the larger of the apparent age
    (response_time - Date) and the upstream Age plus the round trip."""
    date = http_date(headers.get("date"), now=response_time)
    apparent = max(0.0, response_time - date) if date is not None else 0.0
    corrected = age_value(headers) + max(0.0, response_time - request_time)
    return max(apparent, corrected)


@dataclass(frozen=True, slots=True)
class RequestDirectives:
    """The request's Cache-Control (RFC 9111 §5.2.1), with Pragma: no-cache read as
    no-cache only when the request has no Cache-Control (§5.4)."""

    no_cache: bool = False
    no_store: bool = False
    only_if_cached: bool = False
    max_age: int | None = None
    min_fresh: int | None = None
    max_stale: float | None = None  # inf when given without a value
    stale_if_error: int | None = None

    @classmethod
    def parse(cls, headers: dict[str, str]) -> RequestDirectives:
        if "cache-control" not in headers:
            pragma = headers.get("pragma", "")
            return cls(no_cache="no-cache" in {p.strip().lower() for p in pragma.split(",")})
        cc = parse_cache_control(headers["cache-control"])
        max_stale: float | None = None
        if "max-stale" in cc:
            max_stale = float("inf") if cc["max-stale"] is None else seconds(cc, "max-stale")
        return cls(
            no_cache="no-cache" in cc,
            no_store="no-store" in cc,
            only_if_cached="only-if-cached" in cc,
            max_age=seconds(cc, "max-age"),
            min_fresh=seconds(cc, "min-fresh"),
            max_stale=max_stale,
            stale_if_error=seconds(cc, "stale-if-error"),
        )

    def allows(self, age: float, policy: Policy) -> bool:
        """May a stored response of this age and policy answer this request unvalidated?"""
        if self.no_cache or policy.no_cache:
            return False
        if self.max_age is not None and age > self.max_age:
            return False
        remaining = policy.lifetime - age
        if self.min_fresh is not None and remaining < self.min_fresh:
            return False
        if remaining > 0:
            return True
        # Stale: only when the client accepts that much staleness and the origin allows it.
        if self.max_stale is None or policy.must_revalidate:
            return False
        return -remaining <= self.max_stale
