"""Mentions, replies, likes, reposts and follows, told to the people they concern through the
notification system (system 12).

Each is one notification to one user, category ``social.<kind>``, so users choose per kind
and channel with their notification preferences and subscriptions. Likes, reposts and
follows are low priority: the notification system folds them into a digest. Mentions and
replies go out as they happen. The Idempotency-Key names the action, so a retried request
never notifies twice. Nobody is told of their own action, and a user without a notification
profile is simply not told. Notifying never fails the action itself.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from services.errors import DomainError
from services.social.model import Post
from services.social.text import mentions

if TYPE_CHECKING:
    from services.notify.service import NotifyService

log = logging.getLogger(__name__)

LOW = {"like", "repost", "follow"}  # folded into digests
EXCERPT = 140


def excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


class SocialNotifier:
    """Sends the notifications of social actions through ``notify``."""

    def __init__(self, notify: NotifyService) -> None:
        self.notify = notify

    def tell(self, kind: str, user: str, actor: str, action_id: str, **data: object) -> bool:
        """Notify ``user`` that ``actor`` did ``kind``; False when nothing was sent."""
        from services.notify.sending import SendRequest

        if user == actor:
            return False
        req = SendRequest(
            user_id=user,
            template=f"social_{kind}",
            category=f"social.{kind}",
            data={"actor": actor, **data},
            priority="low" if kind in LOW else "normal",
        )
        try:
            self.notify.send("social", req, f"social:{kind}:{actor}:{action_id}"[:200])
        except DomainError as exc:  # an unknown user, say: they opted for no notifications
            log.debug("social %s for %s not sent: %s", kind, user, exc)
            return False
        except Exception:  # noqa: BLE001 - notifying must never fail the action itself
            log.exception("social %s notification for %s failed", kind, user)
            return False
        return True

    def post_created(self, post: Post, reply_author: str | None, known: set[str]) -> None:
        """A reply tells the parent's author; mentions of ``known`` users tell each of them
        (once: a reply's author mentioned in it hears of the reply only)."""
        text = excerpt(post.text)
        told = set()
        if reply_author is not None and self.tell(
            "reply", reply_author, post.author, str(post.id), text=text, post_id=post.id
        ):
            told.add(reply_author)
        for handle in mentions(post.text):
            if handle in known and handle not in told:
                self.tell("mention", handle, post.author, str(post.id), text=text, post_id=post.id)
