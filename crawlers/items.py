"""Items the spider yields; the store pipeline is their only consumer."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PageItem:
    url: str  # the frontier URL (canonical form)
    final_url: str
    status: int
    fetched_at: float
    content_type: str
    bytes: int
    depth: int
    kind: str
    title: str
    text: str
    lang: str
    content_hash: str
    simhash: int
    canonical: str | None
    noindex: bool
    nofollow: bool
    links: list[tuple[str, str, bool]] = field(default_factory=list)  # to, anchor, nofollow


@dataclass
class ErrorItem:
    url: str
    kind: str  # http, robots, unsafe, timeout, dns, truncated, size, content, url, network
    reason: str
    final: bool = True  # takes the URL out of the frontier (False for a bad link on a page)
