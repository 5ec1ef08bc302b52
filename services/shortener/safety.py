"""Abuse rules for link targets: http(s) only, bounded length, not ourselves, not private.

Private, loopback, link-local and reserved targets are refused *after DNS resolution* (a public
name can point at 127.0.0.1), unless ``allow_private_targets`` is set. A name that does not
resolve now is accepted (it may resolve for the visitor); link-health checks it again later.
Stored URLs are made ASCII-safe (IDNA host, percent-encoded path) with w3lib, so they can go
into a ``Location`` header as they are.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from w3lib.url import safe_url_string

from services.errors import Invalid

MAX_URL_LENGTH = 2048
ALLOWED_SCHEMES = frozenset({"http", "https"})

Resolver = Callable[[str], list[str]]


class UnsafeURL(Invalid):
    """A target the shortener refuses; the message says why."""


def system_resolver(host: str) -> list[str]:
    """Every address ``host`` resolves to (empty when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({info[4][0] for info in infos})


def is_public(addr: str) -> bool:
    ip = ipaddress.ip_address(addr.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved)


def check_target(
    url: str,
    *,
    public_base_url: str,
    allow_private: bool = False,
    resolver: Resolver = system_resolver,
) -> str:
    """Return the URL to store, or raise ``UnsafeURL``."""
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeURL(f"URL is {len(url)} characters; the limit is {MAX_URL_LENGTH}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        raise UnsafeURL(f"malformed URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise UnsafeURL(f"only http and https targets are allowed, not {scheme or 'none'!r}")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise UnsafeURL("the URL has no host")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise UnsafeURL("the URL contains whitespace or control characters")
    try:
        url = safe_url_string(url)
    except (ValueError, UnicodeError) as exc:
        raise UnsafeURL(f"malformed URL: {exc}") from exc
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeURL(f"URL is {len(url)} characters once encoded; the limit is {MAX_URL_LENGTH}")
    own = urlsplit(public_base_url)
    host = (urlsplit(url).hostname or host).rstrip(".").lower()
    if host == (own.hostname or "").lower():
        raise UnsafeURL("links to this shortener itself are not allowed")
    if allow_private:
        return url
    try:
        addrs = [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        addrs = resolver(host)
    bad = [a for a in addrs if not is_public(a)]
    if bad:
        raise UnsafeURL(f"{host} resolves to a private or loopback address ({', '.join(bad)})")
    return url
