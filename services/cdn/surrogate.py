"""``Surrogate-Control``: the response field an origin uses to direct its surrogates (reverse
proxies acting for it, such as this edge) apart from ``Cache-Control`` (W3C Edge Architecture
Specification 1.0, §3; RFC 9213 §1 names it the precedent of ``CDN-Cache-Control``).

Each directive may be targeted at one surrogate by a ``;device-token`` suffix; a directive
without one addresses every surrogate. This edge advertises no device token, so it obeys the
untargeted directives only and leaves targeted ones to the surrogate they name. Two directives
decide caching: ``no-store`` and ``max-age=N`` (``max-age=N+M``: fresh for N seconds, then
usable stale for M more when the origin cannot be reached). ``content="ESI/1.0"`` asks for
processing (``services.cdn.esi``) and, like unknown extensions, has no effect on caching.

When the field carries an untargeted caching directive it governs this cache in place of
``Cache-Control`` and ``Expires``, as ``CDN-Cache-Control`` does (RFC 9213 §2.1); otherwise the
response is cached by ``Cache-Control`` alone.
"""

from __future__ import annotations

import re

_DIRECTIVE = re.compile(r'\s*([!#$%&\'*+\-.^_`|~0-9A-Za-z]+)(?:=("[^"]*"|[^;,\s]*))?\s*(;.*)?')
_MAX_AGE = re.compile(r"(\d+)(?:\+(\d+))?")


def _members(value: str) -> list[str]:
    """Split at commas outside quoted strings (``content="ESI/1.0, ESI-Inline/1.0"``)."""
    parts, buf, quoted = [], [], False
    for ch in value:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return [p for p in parts if p.strip()]


def surrogate_directives(value: str | None) -> dict[str, str | None] | None:
    """The caching directives ``Surrogate-Control`` gives this edge, in the form of
    ``services.cdn.cachecontrol.parse_cache_control``: ``{"max-age": "N"}`` (with
    ``"stale-if-error": "M"`` for ``N+M``) and/or ``{"no-store": None}``. None when the field
    is absent or addresses this edge with no caching directive (then ``Cache-Control``
    applies). A malformed ``max-age`` reads as 0 (stale), never as fresh."""
    if not value:
        return None
    out: dict[str, str | None] = {}
    for member in _members(value):
        m = _DIRECTIVE.fullmatch(member)
        if m is None or m.group(3):  # unparseable, or targeted at another device
            continue
        name, arg = m.group(1).lower(), m.group(2)
        if name == "no-store" and arg is None:
            out.setdefault("no-store", None)
        elif name == "max-age" and "max-age" not in out:
            ages = _MAX_AGE.fullmatch(arg or "")
            out["max-age"] = ages.group(1) if ages else "0"
            if ages and ages.group(2):
                out["stale-if-error"] = ages.group(2)
    return out or None
