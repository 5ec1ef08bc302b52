"""Link health: is a destination alive, and where does it redirect?

One request per link, no redirect following (the first hop's ``Location`` is what we report),
a short timeout and no body read. ``guard`` vets the URL first (the crawler's resolved-address
check in the asset), so link-health never probes private hosts unless configured to.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urljoin

import httpx

USER_AGENT = "BlueprintLinkHealth/1.0 (+link checks of the URL shortener)"
ALIVE_4XX = frozenset({401, 403, 405, 429})  # the page is there, it just would not tell us


def check_destination(
    url: str,
    guard: Callable[[str], object],
    client: httpx.Client,
) -> dict:
    """``{url, status, redirect_to, dead, error}`` for one destination."""
    out: dict = {"url": url, "status": None, "redirect_to": None, "dead": True, "error": None}
    try:
        guard(url)
    except ValueError as exc:
        out["error"] = f"refused: {exc}"
        return out
    try:
        with client.stream(
            "GET", url, follow_redirects=False, headers={"User-Agent": USER_AGENT}
        ) as resp:
            status = resp.status_code
            location = resp.headers.get("location")
    except httpx.HTTPError as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"[:300]
        return out
    out["status"] = status
    if 300 <= status < 400 and location:
        out["redirect_to"] = urljoin(url, location)
    out["dead"] = status >= 500 or (status >= 400 and status not in ALIVE_4XX)
    return out


def check_all(urls: list[str], guard: Callable[[str], object], client: httpx.Client) -> list[dict]:
    """One result per URL, in order, over ``client`` (closed by its owner)."""
    return [check_destination(u, guard, client) for u in urls]
