"""Push wake-ups through the notification system (system 12) for users with no device online.

The wake-up carries no content (an encrypted conversation's text is unknown to the server
anyway): "new message in <conversation>". It asks for the ``push`` channel in the
``messages`` category, so the notification system applies that user's preferences (opt-outs,
quiet hours, hourly limits) exactly as for any other sender. The idempotency key is the
message's ``(conversation, seq)`` and the user, so a retried wake-up is sent once.
"""

from __future__ import annotations

import logging
from typing import Any

from services.chat.model import Message
from services.errors import DomainError

log = logging.getLogger(__name__)

TEMPLATE = "chat_message"
CATEGORY = "messages"


class Pusher:
    def __init__(self, notify: Any, emitter: Any = None) -> None:
        self.notify = notify
        self.emitter = emitter
        self.sent = 0
        self.skipped = 0
        notify.put_template(
            TEMPLATE, "en", "New message", "{{ sender }} wrote in a conversation ({{ conv }})."
        )

    def wake(self, message: Message, users: list[str]) -> None:
        from services.notify.sending import SendRequest

        for user in users:
            req = SendRequest(
                user_id=user,
                template=TEMPLATE,
                category=CATEGORY,
                data={"sender": message.sender, "conv": message.conv_id[:8]},
                channels=["push"],
            )
            try:
                self.notify.send("chat", req, f"chat-{message.conv_id}-{message.seq}-{user}")
            except DomainError as exc:  # no notification profile, say: nothing to wake
                self.skipped += 1
                log.debug("no push for %s: %s", user, exc.message)
                continue
            self.sent += 1
            if self.emitter is not None:
                self.emitter.emit(
                    "chat",
                    "push_requested",
                    actor=message.sender,
                    entity=message.conv_id,
                    attrs={"user": user, "seq": message.seq},
                )

    def close(self) -> None:
        """The notification service belongs to its own composition root."""
