"""Attachments go through the file service: a message names files of the sender's own tree
(``body.attachments``: paths), and the server stores, in their place, each file's name, size
and a read-only share link for the conversation's members. In an encrypted conversation the
client uploads ciphertext, so the server links bytes it cannot read.

The links live as long as the messages: deleting a message for everyone, and the retention
purge, revoke them; a message that is not stored after all (refused, or a replayed client id)
revokes the ones it made. An edit keeps the original's attachments and cannot add more.
"""

from __future__ import annotations

from typing import Any

import orjson

from services.errors import Invalid


class Attachments:
    def __init__(self, files: Any = None) -> None:
        self.files = files

    def link(self, sender: str, clean: dict[str, Any]) -> list[str]:
        """Replace ``clean["attachments"]`` paths by their links; the share ids made."""
        paths = clean.get("attachments")
        if not paths:
            return []
        if self.files is None:
            raise Invalid("attachments need the file service, which is not running here")
        made = []
        try:
            for path in paths:
                made.append(self.files.sharing.attach(sender, path))
        except Invalid:
            self.revoke(sender, [a.share_id for a in made])
            raise
        clean["attachments"] = [
            {"name": a.name, "size": a.size, "url": a.url, "share": a.share_id} for a in made
        ]
        return [a.share_id for a in made]

    def revoke(self, sender: str, share_ids: list[str]) -> None:
        if share_ids and self.files is not None:
            self.files.sharing.detach(sender, share_ids)

    def revoke_bodies(self, rows: list[tuple[str, str | None]]) -> int:
        """Revoke the links in stored message bodies (sender, body JSON); how many."""
        revoked = 0
        for sender, body in rows:
            shares = shares_of(body)
            self.revoke(sender, shares)
            revoked += len(shares)
        return revoked


def shares_of(body: str | None) -> list[str]:
    """The share ids of a stored body's attachments."""
    if not body:
        return []
    items = orjson.loads(body).get("attachments") or []
    return [a["share"] for a in items if isinstance(a, dict) and "share" in a]
