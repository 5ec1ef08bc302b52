"""URL canonical form and target safety.

Canonicalisation chains ``url-normalize`` (case, default ports, dot segments, percent-encoding)
with ``w3lib.url.canonicalize_url`` (sorted query, no fragment): both well kept, neither alone
does everything. Target safety is the platform's one check (``warehouse.urlsafety``: WHATWG
host parsing, then every resolved address); this module adapts it to the crawler's errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from url_normalize import url_normalize
from w3lib.url import canonicalize_url

from warehouse.urlsafety import (
    ALLOWED_SCHEMES,
    Network,
    Policy,
    Resolver,
    UnsafeURLError,
    address_problem,
    check_url,
    system_resolver,
)


class InvalidURL(ValueError):
    """A URL the crawler cannot fetch; the message says why."""


class UnsafeTarget(ValueError):
    """A URL whose host resolves to an address the configuration does not allow."""


def canonical_url(url: str, base: str | None = None) -> str:
    """The one spelling of ``url`` used for de-duplication (absolute, http/https only)."""

    raw = url.strip().split("#", 1)[0]
    if base is not None:
        if "://" in raw[:12]:
            pass  # already absolute
        elif raw and raw[0] not in "/?#" and ":" not in raw.split("/", 1)[0]:
            # A relative path resolves against the base's directory only: cache on that.
            return _join_normalise(_base_dir(base), raw)
        else:
            raw = _join(base, raw, url)
    return _normalise(raw.split("#", 1)[0])


def canonical_links(hrefs: Iterable[str], base: str) -> list[str | InvalidURL]:
    """``canonical_url(href, base)`` for each href (the error in place of a bad one).

    Relative paths, by far the most common links, take one cache lookup each: the base's
    directory is computed once per page.
    """
    base_dir = _base_dir(base)
    out: list[str | InvalidURL] = []
    for href in hrefs:
        raw = href.strip().split("#", 1)[0]  # fragments never change the fetched URL
        try:
            if (
                raw
                and raw[0] not in "/?#"
                and "://" not in raw[:12]
                and (":" not in raw.split("/", 1)[0])
            ):
                out.append(_join_normalise(base_dir, raw))
            else:
                out.append(canonical_url(raw, base=base))
        except InvalidURL as exc:
            out.append(exc)
    return out


def _base_dir(base: str) -> str:
    """``http://h/a/b?q`` -> ``http://h/a/`` (what a relative path is resolved against)."""
    head = base.split("#", 1)[0].split("?", 1)[0]
    scheme_end = head.find("://")
    path_start = head.find("/", scheme_end + 3) if scheme_end >= 0 else -1
    if path_start < 0:
        return head + "/"
    return head[: head.rfind("/") + 1]


def _join(base: str, raw: str, original: str) -> str:
    try:
        return urljoin(base, raw)
    except ValueError as exc:
        raise InvalidURL(f"cannot join {original!r}: {exc}") from exc


@lru_cache(maxsize=262_144)
def _join_normalise(base_dir: str, raw: str) -> str:
    return _normalise(_join(base_dir, raw, raw).split("#", 1)[0])


@lru_cache(maxsize=262_144)
def _normalise(raw: str) -> str:
    """Cached: a site links to the same few thousand URLs from every page."""
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise InvalidURL(f"unparseable URL {raw!r}: {exc}") from exc
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise InvalidURL(f"unsupported scheme {parts.scheme!r} in {raw!r}")
    if not parts.hostname:
        raise InvalidURL(f"no host in {raw!r}")
    try:
        return canonicalize_url(url_normalize(raw), keep_fragments=False)
    except (ValueError, UnicodeError) as exc:
        raise InvalidURL(f"cannot normalise {raw!r}: {exc}") from exc


@lru_cache(maxsize=65_536)
def host_of(url: str) -> str:
    """``host:port`` of a URL, the unit of politeness (cached: asked for every link)."""
    return urlsplit(url).netloc.lower()


def address_allowed(
    addr: str,
    allow_private: bool = False,
    allowed_networks: Iterable[Network] = (),
) -> bool:
    """Whether a resolved address may be fetched: public, or explicitly allowed."""
    return (
        address_problem(addr, allow_private=allow_private, allowed_networks=allowed_networks)
        is None
    )


def check_target(
    url: str,
    allow_private: bool = False,
    allowed_networks: Iterable[Network] = (),
    *,
    allow_unresolvable: bool = False,
    resolver: Resolver = system_resolver,
) -> list[str]:
    """The addresses ``url``'s host resolves to, once every one is vetted.

    Raises ``InvalidURL`` (not an http(s) URL, malformed, credentials before the host) or
    ``UnsafeTarget`` (a disallowed address, or a name that does not resolve unless
    ``allow_unresolvable``). The rules are ``warehouse.urlsafety``'s, the platform's one check.
    """
    policy = Policy(
        allow_private=allow_private,
        allowed_networks=tuple(allowed_networks),
        allow_unresolvable=allow_unresolvable,
        max_length=None,
    )
    try:
        return list(check_url(url, policy, resolver=resolver).addresses)
    except UnsafeURLError as exc:
        if exc.kind in ("address", "unresolvable"):
            raise UnsafeTarget(exc.detail) from exc
        raise InvalidURL(exc.detail) from exc
