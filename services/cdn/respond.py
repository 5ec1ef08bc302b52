"""Answering one request from a stored object: conditionals (304), ranges (206/416) and
content negotiation of compressed playlists and manifests (gzip, br).

Compressed bodies are made once per object and kept beside its identity body.
"""

from __future__ import annotations

import gzip
import time
from dataclasses import dataclass

import brotli

from services.cdn.cachecontrol import http_date
from services.cdn.store import Entry

#: Hop-by-hop fields (RFC 9110 §7.6.1) and those a cache must not store (RFC 9111 §3.1).
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authentication-info",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
#: Fields the edge writes itself on every reply instead of copying them from the store.
REGENERATED = frozenset({"content-length", "age", "x-cache", "x-cache-status"})

#: What the edge compresses by default: HLS playlists and DASH manifests. Other types pass
#: through as the origin sent them (``EdgeConfig.compress_types`` changes the list).
COMPRESSIBLE_TYPES = (
    "application/vnd.apple.mpegurl",
    "application/x-mpegurl",
    "audio/mpegurl",
    "audio/x-mpegurl",
    "application/dash+xml",
)
MIN_COMPRESS_BYTES = 128


@dataclass(slots=True)
class Reply:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def field_lines(name: bytes, value: bytes) -> list[tuple[bytes, bytes]]:
    """One stored field as the lines to send: ``Set-Cookie`` values are kept apart (joined
    by a newline in the store) because they cannot be combined (RFC 9110 §5.3)."""
    if name == b"set-cookie":
        return [(name, v) for v in value.split(b"\n")]
    return [(name, value)]


def connection_listed(headers: dict[str, str]) -> frozenset[str]:
    """Hop-by-hop fields plus every field the message's ``Connection`` names."""
    listed = headers.get("connection", "")
    return HOP_BY_HOP | {n.strip().lower() for n in listed.split(",") if n.strip()}


def compressible(entry: Entry, types: tuple[str, ...] = COMPRESSIBLE_TYPES) -> bool:
    """Only configured types, only identity 200s, never under ``no-transform`` (RFC 9110
    §7.7, RFC 9111 §5.2.2.6)."""
    ctype = entry.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return (
        entry.status == 200
        and bool(types)
        and "content-encoding" not in entry.headers
        and "no-transform" not in entry.headers.get("cache-control", "").lower()
        and ctype.startswith(types)
        and len(entry.body) >= MIN_COMPRESS_BYTES
    )


def choose_encoding(accept_encoding: str | None) -> str | None:
    """``br`` or ``gzip`` when the client accepts it (q > 0), else None for identity."""
    if not accept_encoding:
        return None
    accepted: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        token, _, params = part.strip().partition(";")
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        if token:
            accepted[token.strip()] = q
    for coding in ("br", "gzip"):
        q = accepted.get(coding, accepted.get("*", 0.0))
        if q > 0:
            return coding
    return None


def encoded_body(entry: Entry, coding: str) -> bytes:
    body = entry.encoded.get(coding)
    if body is None:
        if coding == "br":
            body = brotli.compress(entry.body, quality=5)
        else:
            body = gzip.compress(entry.body, compresslevel=6, mtime=0)
        entry.encoded[coding] = body
    return body


def encoded_etag(etag: str | None, coding: str | None) -> str | None:
    if not etag or not coding:
        return etag
    return etag[:-1] + f'-{coding}"' if etag.endswith('"') else etag


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def etag_matches(header: str, *etags: str | None) -> bool:
    """Weak comparison of an If-None-Match list against the representation's tags."""
    if header.strip() == "*":
        return True
    wanted = {_opaque(t) for t in header.split(",") if t.strip()}
    return any(t is not None and _opaque(t) in wanted for t in etags)


def not_modified(entry: Entry, request: dict[str, str], etag: str | None) -> bool:
    """RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since."""
    inm = request.get("if-none-match")
    if inm is not None:
        return etag_matches(inm, etag, entry.headers.get("etag"))
    ims = http_date(request.get("if-modified-since"))
    if ims is None:
        return False
    last_modified = http_date(entry.headers.get("last-modified"))
    return last_modified is not None and last_modified <= ims


def parse_range(value: str, length: int) -> tuple[int, int] | None | str:
    """One ``bytes=`` range as inclusive (start, end); None to ignore the header (malformed
    or several ranges: a full 200 is allowed then); ``"unsatisfiable"`` for a 416."""
    unit, _, spec = value.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash:
        return None
    try:
        if first == "":
            suffix = int(last)
            if suffix <= 0:
                return "unsatisfiable"
            return (max(0, length - suffix), length - 1) if length else "unsatisfiable"
        start = int(first)
        end = int(last) if last else length - 1
    except ValueError:
        return None
    if start >= length:
        return "unsatisfiable"
    if start < 0 or end < start:
        return None
    return start, min(end, length - 1)


def if_range_allows(entry: Entry, value: str | None) -> bool:
    if value is None:
        return True
    value = value.strip()
    if value.startswith('"') or value.startswith("W/"):
        etag = entry.headers.get("etag")
        return bool(etag) and not value.startswith("W/") and etag == value
    return http_date(value) is not None and value == entry.headers.get("last-modified")


def _static_headers(entry: Entry, coding: str | None, via: str) -> list[tuple[bytes, bytes]]:
    """The response headers that do not change from one request to the next: the stored
    ones as the origin sent them, with this hop added to ``Via``, except that a body the edge
    compressed gets its own ETag and ``Vary: Accept-Encoding``."""
    skip = HOP_BY_HOP | REGENERATED | {"via"} | ({"etag", "vary"} if coding else set())
    headers = [
        line
        for k, v in entry.headers.items()
        if k not in skip
        for line in field_lines(k.encode("latin-1"), v.encode("latin-1"))
    ]
    upstream_via = entry.headers.get("via")
    headers.append((b"via", (f"{upstream_via}, {via}" if upstream_via else via).encode("latin-1")))
    if coding:
        etag = encoded_etag(entry.headers.get("etag"), coding)
        if etag:
            headers.append((b"etag", etag.encode("latin-1")))
        vary = [v.strip() for v in entry.headers.get("vary", "").split(",") if v.strip()]
        if "accept-encoding" not in {v.lower() for v in vary}:
            vary.append("Accept-Encoding")
        headers.append((b"vary", ", ".join(vary).encode("latin-1")))
    if (
        entry.status == 200
        and "content-encoding" not in entry.headers
        and "accept-ranges" not in entry.headers
    ):
        headers.append((b"accept-ranges", b"bytes"))
    return headers


def build_reply(
    entry: Entry,
    request: dict[str, str],
    *,
    head: bool,
    cache_status: str,
    edge_name: str,
    now: float | None = None,
    compress_types: tuple[str, ...] = COMPRESSIBLE_TYPES,
) -> Reply:
    """The response to one request from ``entry``, which the caller judged usable."""
    now = time.time() if now is None else now
    coding = None
    if compressible(entry, compress_types):
        coding = choose_encoding(request.get("accept-encoding"))
    if "range" in request and entry.status == 200:
        coding = None  # ranges address the identity body
    etag = encoded_etag(entry.headers.get("etag"), coding)
    static = entry.prepared.get(coding)
    if static is None:
        static = entry.prepared[coding] = _static_headers(entry, coding, f"1.1 {edge_name}")
    headers = [
        *static,
        (b"age", str(int(entry.age(now))).encode()),
        (b"x-cache", f"{cache_status} from {edge_name}".encode("latin-1")),
    ]

    if entry.status == 200 and not_modified(entry, request, etag):
        keep = {
            b"etag",
            b"cache-control",
            b"last-modified",
            b"vary",
            b"date",
            b"expires",
            b"age",
            b"x-cache",
            b"content-location",
            b"via",
        }
        return Reply(304, [h for h in headers if h[0] in keep], b"")

    body = entry.body
    status = entry.status
    if coding is not None:
        body = encoded_body(entry, coding)
        headers.append((b"content-encoding", coding.encode()))
    elif (
        "range" in request
        and status == 200
        and "content-encoding" not in entry.headers
        and if_range_allows(entry, request.get("if-range"))
    ):
        rng = parse_range(request["range"], len(body))
        if rng == "unsatisfiable":
            headers = [h for h in headers if h[0] != b"content-type"]
            headers.append((b"content-range", f"bytes */{len(body)}".encode()))
            return Reply(416, headers + [(b"content-length", b"0")], b"")
        if isinstance(rng, tuple):
            start, end = rng
            headers.append((b"content-range", f"bytes {start}-{end}/{len(body)}".encode()))
            body = body[start : end + 1]
            status = 206
    if status != 204 and not 100 <= status < 200:
        headers.append((b"content-length", str(len(body)).encode()))
    return Reply(status, headers, b"" if head or status == 204 else body)
