"""The shortener's abuse rules for link targets, over the platform's one URL-safety check.

``warehouse.urlsafety`` does the work (WHATWG parsing, the private-address rules, DNS); this
module fixes the shortener's policy (not itself, private targets and names that do not
resolve only when its settings say so) and turns a refusal into ``UnsafeURL``, a 422 problem.
The URL to store is the normalised one the check returns, never the raw input.
"""

from __future__ import annotations

from services.errors import Invalid
from warehouse.urlsafety import (
    MAX_URL_LENGTH,
    Policy,
    Resolver,
    UnsafeURLError,
    check_url,
    system_resolver,
)

__all__ = ["MAX_URL_LENGTH", "Resolver", "UnsafeURL", "check_target", "system_resolver"]


class UnsafeURL(Invalid):
    """A target the shortener refuses; the message says why."""


def check_target(
    url: str,
    *,
    public_base_url: str,
    allow_private: bool = False,
    allow_unresolvable: bool = False,
    resolver: Resolver = system_resolver,
) -> str:
    """Return the URL to store (normalised), or raise ``UnsafeURL``."""
    policy = Policy(
        allow_private=allow_private,
        allow_unresolvable=allow_unresolvable,
        public_base_url=public_base_url,
    )
    try:
        return check_url(url, policy, resolver=resolver).href
    except UnsafeURLError as exc:
        raise UnsafeURL(str(exc)) from exc
