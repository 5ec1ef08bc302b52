"""robots.txt per RFC 9309, with our own matcher.

Protego is RFC-minded but its group selection and fetch outcomes are not ours to tune; the
rules here are short enough to own: case-insensitive product-token groups with ``*``
fallback, longest match wins, ``allow`` wins ties, ``*``/``$`` wildcards, percent-encoding
equivalence, and the fetch-outcome table (4xx allow all, 5xx/unreachable disallow all).
"""

from __future__ import annotations

import contextlib
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

MAX_ROBOTS_BYTES = 512 * 1024  # RFC 9309 asks for at least 500 KiB to be parsed
MAX_CACHE_SECONDS = 24 * 3600  # RFC 9309: cache for no more than 24 hours
_RESERVED = set(":/?#[]@!$&'()*+,;=")
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")
_TOKEN = re.compile(r"[A-Za-z_-]+")


def product_token(user_agent: str) -> str:
    """``"BlueprintBot/1.0 (+http://x)"`` -> ``"blueprintbot"``."""
    m = _TOKEN.match(user_agent.strip())
    return m.group(0).lower() if m else ""


def normalize_path(path: str) -> str:
    """Percent-encoding equivalence: decode unreserved ASCII, encode non-ASCII, upper hex."""

    def unquote(m: re.Match[str]) -> str:
        ch = chr(int(m.group(1), 16))
        if ch.isascii() and ch not in _RESERVED and ch != "%" and ch.isprintable():
            return ch
        return "%" + m.group(1).upper()

    out = _PCT.sub(unquote, path)
    return "".join(
        c if c.isascii() else "".join(f"%{b:02X}" for b in c.encode("utf-8")) for c in out
    )


@dataclass(frozen=True)
class Rule:
    allow: bool
    pattern: str
    regex: re.Pattern[str]

    @classmethod
    def make(cls, allow: bool, pattern: str) -> Rule:
        pattern = normalize_path(pattern)
        anchored = pattern.endswith("$")
        body = pattern[:-1] if anchored else pattern
        rx = ".*".join(re.escape(part) for part in body.split("*"))
        return cls(allow, pattern, re.compile(rx + ("$" if anchored else ""), re.DOTALL))


@dataclass
class Group:
    agents: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    crawl_delay: float | None = None


@dataclass
class RobotsPolicy:
    """What one robots.txt (or its fetch outcome) says about a host."""

    groups: list[Group] = field(default_factory=list)
    allow_all: bool = False
    disallow_all: bool = False
    reason: str = "parsed"
    fetched_at: float = field(default_factory=time.time)

    @classmethod
    def parse(cls, body: bytes | str) -> RobotsPolicy:
        """Parse at least the first 500 KiB; unknown lines are ignored, never fatal."""
        if isinstance(body, bytes):
            body = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
        else:
            body = body[:MAX_ROBOTS_BYTES]
        groups: list[Group] = []
        current: Group | None = None
        in_agents = False
        for raw in body.lstrip("\ufeff").splitlines():
            line = raw.split("#", 1)[0].strip()
            if ":" not in line:
                continue
            key, value = (s.strip() for s in line.split(":", 1))
            key = key.lower()
            if key in ("user-agent", "useragent", "user agent"):
                if not in_agents or current is None:
                    current = Group()
                    groups.append(current)
                    in_agents = True
                token = "*" if value.startswith("*") else product_token(value)
                if token:
                    current.agents.append(token)
            elif key in ("allow", "disallow") and current is not None:
                in_agents = False
                if value:  # an empty rule matches nothing
                    current.rules.append(Rule.make(key == "allow", value))
            elif key == "crawl-delay" and current is not None:
                in_agents = False
                with contextlib.suppress(ValueError):
                    current.crawl_delay = max(0.0, float(value))
        return cls(groups=groups)

    @classmethod
    def from_fetch(cls, status: int | None, body: bytes = b"") -> RobotsPolicy:
        """The RFC 9309 outcome table; ``status=None`` means the server was unreachable."""
        if status is None:
            return cls(disallow_all=True, reason="unreachable: disallow all")
        if 200 <= status < 300:
            policy = cls.parse(body)
            policy.reason = f"{status}: parsed"
            return policy
        if 400 <= status < 500:
            return cls(allow_all=True, reason=f"{status}: unavailable, allow all")
        if status >= 500:
            return cls(disallow_all=True, reason=f"{status}: unreachable, disallow all")
        return cls(allow_all=True, reason=f"{status}: too many redirects, allow all")

    def expired(self, max_age: float = MAX_CACHE_SECONDS, now: float | None = None) -> bool:
        return (now if now is not None else time.time()) - self.fetched_at > min(
            max_age, MAX_CACHE_SECONDS
        )

    def _group_for(self, user_agent: str) -> Group | None:
        token = product_token(user_agent)
        mine = [g for g in self.groups if token and token in g.agents]
        if not mine:
            mine = [g for g in self.groups if "*" in g.agents]
        if not mine:
            return None
        merged = Group(agents=[token])
        for g in mine:
            merged.rules.extend(g.rules)
            if g.crawl_delay is not None:
                merged.crawl_delay = max(merged.crawl_delay or 0.0, g.crawl_delay)
        return merged

    def crawl_delay(self, user_agent: str) -> float | None:
        group = self._group_for(user_agent)
        return group.crawl_delay if group else None

    def allowed(self, url: str, user_agent: str) -> bool:
        """Whether ``user_agent`` may fetch ``url`` (path and query are matched)."""
        if self.disallow_all:
            return False
        if self.allow_all:
            return True
        parts = urlsplit(url)
        path = parts.path or "/"
        if path == "/robots.txt":
            return True
        if parts.query:
            path += "?" + parts.query
        path = normalize_path(path)
        group = self._group_for(user_agent)
        if group is None:
            return True
        best: tuple[int, bool] | None = None
        for rule in group.rules:
            if rule.regex.match(path):
                key = (len(rule.pattern), rule.allow)  # longer wins; allow wins a tie
                if best is None or key > best:
                    best = key
        return True if best is None else best[1]
