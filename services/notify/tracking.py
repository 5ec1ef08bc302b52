"""Open and click tracking, and the one-click unsubscribe link, for outgoing notifications.

- **Clicks.** Every http(s) link in an email, SMS or push body is replaced, per delivery, by a
  short link of the URL shortener (system 1), so a click is the shortener's own ``click``
  event and goes through its safety rules; the ``link_tracked`` event ties the short code
  to the delivery. A link the shortener refuses (a private host, say) is left as written and
  not tracked.
- **Opens.** An email's HTML part ends with a 1x1 image whose URL carries a token.
- **Unsubscribe.** RFC 8058 one-click: ``List-Unsubscribe`` names a URL with a token, and
  ``List-Unsubscribe-Post`` says a POST there unsubscribes at once.

Tokens are ``<delivery id>.<HMAC>``: they name only the delivery (a random id), never an
address or a user, and cannot be forged or moved to another delivery or purpose.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import re
from collections.abc import Callable
from dataclasses import dataclass

# A URL as mail and SMS clients linkify it: up to whitespace or a quote or angle bracket,
# without trailing sentence punctuation or an unbalanced closing parenthesis.
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?"
_DELIVERY_ID = re.compile(r"[0-9a-f]{32}")

TRACKED_CHANNELS = ("email", "sms", "push")
PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==")

# url -> (short code, short URL), or None when the shortener will not take the URL.
Shorten = Callable[[str], tuple[str, str] | None]


@dataclass(frozen=True)
class TrackedLink:
    url: str
    code: str
    short_url: str


def find_urls(text: str) -> list[tuple[int, int]]:
    """Spans of the http(s) URLs in ``text``, trimmed as a mail client trims them."""
    spans = []
    for m in _URL.finditer(text):
        start, end = m.span()
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
        while (
            end > start
            and text[end - 1] == ")"
            and text.count("(", start, end) < text.count(")", start, end)
        ):
            end -= 1
        if end - start > len("https://"):
            spans.append((start, end))
    return spans


def rewrite_links(text: str, shorten: Shorten) -> tuple[str, list[TrackedLink]]:
    """``text`` with each URL replaced by its short link, and the links made."""
    out: list[str] = []
    links: list[TrackedLink] = []
    last = 0
    for start, end in find_urls(text):
        url = text[start:end]
        made = shorten(url)
        out.append(text[last:start])
        if made is None:
            out.append(url)
        else:
            links.append(TrackedLink(url, *made))
            out.append(made[1])
        last = end
    out.append(text[last:])
    return "".join(out), links


def html_body(text: str, *, open_url: str | None, unsubscribe_url: str | None) -> str:
    """The HTML alternative of a plain-text email: links clickable, the open pixel last."""
    parts: list[str] = []
    last = 0
    for start, end in find_urls(text):
        parts.append(html.escape(text[last:start]))
        url = html.escape(text[start:end])
        parts.append(f'<a href="{url}">{url}</a>')
        last = end
    parts.append(html.escape(text[last:]))
    body = "".join(parts).replace("\n", "<br>\n")
    footer = ""
    if unsubscribe_url:
        footer = (
            '<p style="font-size:12px;color:#666">'
            f'<a href="{html.escape(unsubscribe_url)}">Unsubscribe from these emails</a></p>'
        )
    pixel = ""
    if open_url:
        pixel = f'<img src="{html.escape(open_url)}" width="1" height="1" alt="">'
    return f"<!doctype html>\n<html><body><p>{body}</p>{footer}{pixel}</body></html>\n"


class Tracker:
    """Makes and checks the tokens of tracking and unsubscribe URLs under ``base_url``."""

    def __init__(self, secret: str, base_url: str) -> None:
        self._key = hashlib.sha256(f"notify-tracking:{secret}".encode()).digest()
        self.base_url = base_url.rstrip("/")

    def token(self, purpose: str, delivery_id: str) -> str:
        mac = hmac.new(self._key, f"{purpose}:{delivery_id}".encode(), hashlib.sha256).digest()
        return f"{delivery_id}.{base64.urlsafe_b64encode(mac[:16]).decode().rstrip('=')}"

    def delivery(self, purpose: str, token: str) -> str | None:
        """The delivery id a genuine ``purpose`` token names, else None."""
        delivery_id, _, _ = token.partition(".")
        if not _DELIVERY_ID.fullmatch(delivery_id):
            return None
        if not hmac.compare_digest(self.token(purpose, delivery_id), token):
            return None
        return delivery_id

    def open_url(self, delivery_id: str) -> str:
        return f"{self.base_url}/notifications/open/{self.token('open', delivery_id)}"

    def unsubscribe_url(self, delivery_id: str) -> str:
        return f"{self.base_url}/notifications/unsubscribe/{self.token('unsubscribe', delivery_id)}"
