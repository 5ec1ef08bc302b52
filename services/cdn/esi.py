"""Edge Side Includes (ESI 1.0, the subset CDNs commonly run) on HTML that opts in.

An origin opts a response in with ``Surrogate-Control: content="ESI/1.0"`` (the Edge
Architecture Specification); the edge consumes that header and never forwards it. The edge
stores the template as the origin sent it and assembles it per request: each
``<esi:include src=...>`` is fetched through the edge's own cache, so every fragment is
cached by its own rules, and a page with a personal (uncacheable) fragment is never kept
assembled. Supported: ``esi:include`` (``src``, ``alt``, ``onerror="continue"``),
``esi:remove``, ``esi:comment`` and ``<!--esi ... -->``.

Failures follow ESI 1.0 §3.1: when neither ``src`` nor ``alt`` can be fetched, the include
is dropped silently if it says ``onerror="continue"``; otherwise the whole page fails (the
edge answers 502). Includes are same-origin only (a relative path, or an absolute URL on the
request's own host), nested at most ``MAX_DEPTH`` deep and at most ``MAX_INCLUDES`` per page.
"""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

MAX_DEPTH = 3
MAX_INCLUDES = 32
#: Fields of the template's reply the assembled page does not carry: the header consumed
#: here, and those that describe the template's bytes rather than the page's.
NOT_FORWARDED = frozenset(
    {
        b"surrogate-control",
        b"content-length",
        b"content-encoding",
        b"etag",
        b"last-modified",
        b"accept-ranges",
        b"content-range",
    }
)

_CONTENT = re.compile(r'content\s*=\s*"?[^",;]*\bESI/1\.0', re.IGNORECASE)
_INCLUDE = re.compile(
    rb"<esi:include\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)\s*/?>(?:\s*</esi:include>)?",
    re.IGNORECASE,
)
_REMOVE = re.compile(rb"<esi:remove\b[^>]*>.*?</esi:remove\s*>", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(rb"<esi:comment\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*/>", re.IGNORECASE)
_BLOCK = re.compile(rb"<!--esi(.*?)-->", re.DOTALL)
_ATTR = re.compile(rb"([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


class IncludeFailed(Exception):
    """An include without ``onerror="continue"`` could fetch neither ``src`` nor ``alt``."""


@dataclass(frozen=True)
class Fragment:
    """A fetched fragment's body and whether the edge may keep it (it was cacheable)."""

    body: bytes
    cacheable: bool


#: Fetch one same-origin path through the edge's cache; None when it failed (non-2xx,
#: upstream error, too deep).
Fetch = Callable[[str], Awaitable[Fragment | None]]


def is_template(status: int, headers: dict[str, str]) -> bool:
    """An identity-coded HTML 200 whose Surrogate-Control asks for ESI/1.0 processing (a
    compressed template is not parsed: it is served as stored)."""
    control = headers.get("surrogate-control")  # first: the hit path pays one dict lookup
    if control is None or status != 200 or not _CONTENT.search(control):
        return False
    if headers.get("content-encoding", "identity").strip().lower() not in ("", "identity"):
        return False
    ctype = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return ctype in ("text/html", "application/xhtml+xml")


def same_origin(src: str, base_url: str, host: str | None) -> str | None:
    """``src`` resolved against the page's URL, as a path on this edge; None when it points at
    another host or scheme."""
    target = urlsplit(urljoin(base_url, src.strip()))
    if target.scheme and target.scheme not in ("http", "https"):
        return None
    if target.netloc and (host is None or target.netloc.lower() != host.lower()):
        return None
    if not target.path.startswith("/"):
        return None
    return target.path + (f"?{target.query}" if target.query else "")


def _attrs(raw: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ATTR.finditer(raw):
        value = m.group(2) if m.group(2) is not None else m.group(3)
        out[m.group(1).decode("latin-1").lower()] = html.unescape(value.decode("utf-8", "replace"))
    return out


async def assemble(
    template: bytes, fetch: Fetch, base_url: str, host: str | None
) -> tuple[bytes, bool]:
    """The page with its ESI markup processed, and whether every fragment was cacheable.

    Raises :class:`IncludeFailed` for an include that fails without ``onerror="continue"``.
    """
    body = _BLOCK.sub(lambda m: m.group(1), template)
    body = _REMOVE.sub(b"", body)
    body = _COMMENT.sub(b"", body)
    tags = list(_INCLUDE.finditer(body))
    if not tags:
        return body, True

    async def one(index: int, match: re.Match[bytes]) -> Fragment | None:
        attrs = _attrs(match.group(1))
        tolerant = attrs.get("onerror", "").lower() == "continue"
        if index < MAX_INCLUDES:
            for source in (attrs.get("src"), attrs.get("alt")):
                path = same_origin(source, base_url, host) if source else None
                if path is not None:
                    fragment = await fetch(path)
                    if fragment is not None:
                        return fragment
        if tolerant:
            return Fragment(b"", True)
        src = attrs.get("src", "")[:200]
        why = "too many includes" if index >= MAX_INCLUDES else "fetch failed"
        raise IncludeFailed(f'ESI include {src!r}: {why}, and no onerror="continue"')

    fragments = await asyncio.gather(*(one(i, m) for i, m in enumerate(tags)))
    out, last = bytearray(), 0
    for match, fragment in zip(tags, fragments, strict=True):
        out += body[last : match.start()]
        out += fragment.body
        last = match.end()
    out += body[last:]
    return bytes(out), all(f.cacheable for f in fragments)
