"""Granting roles on folders, and telling the people concerned through system 12 (notify).

A grant notifies the grantee; an edit of a file in a shared folder (a new version, a delta
sync commit, a restored version) notifies the other users who see that folder: its owner and
every grantee whose grant covers the file, never the editor. An edit burst on one file
coalesces: one notification per file and recipient per ``window_s`` (in this process, and
across processes through notify's idempotency key, which names the window). The user's
preferences (channel and category ``files`` opt-outs, quiet hours) are notify's to apply. A
failure to notify never fails the write: the edit is stored and the failure logged.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from services.errors import DomainError, Invalid
from services.files.grants import Grant, GrantBook, Place, check_grantable
from services.files.model import Entry
from services.notify.sending import SendRequest

log = logging.getLogger(__name__)

CATEGORY = "files"
TEMPLATES = {
    "files_shared": (
        "{{ owner }} shared {{ folder }} with you",
        "You are now a {{ role }} of {{ owner }}'s folder {{ folder }}; it is at {{ mount }}.",
    ),
    "files_edited": (
        "{{ path }} was changed",
        "{{ by }} saved a new version of {{ path }}.",
    ),
}


class Granting:
    """Owners grant and revoke roles; edits under grants are announced. ``notify`` is the
    notification service, or None (nothing is sent)."""

    def __init__(
        self,
        svc: Any,
        book: GrantBook,
        notify: Any = None,
        *,
        window_s: float = 300.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.svc = svc
        self.book = book
        self.notify = notify
        self.window_s = window_s
        self.clock = clock or svc.clock
        self._last: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self._ready = False

    # ---- grants --------------------------------------------------------------------------
    def grant(self, owner: str, path: str, user: str, role: str) -> Grant:
        """Give ``user`` ``role`` on ``owner``'s folder ``path`` (or change it)."""
        path = check_grantable(path)
        entry = self.svc.stat(owner, path)
        if entry.kind != "dir":
            raise Invalid(f"{path!r} is a file: roles are granted on folders")
        grant = self.book.put(owner, entry.path, user, role, self.clock())
        self.svc.emitter.emit(
            "files",
            "grant",
            actor=owner,
            entity=grant.id,
            attrs={"path": grant.path, "user": grant.grantee, "role": grant.role},
        )
        data = {"owner": owner, "folder": grant.path, "role": grant.role, "mount": grant.mount}
        self._send(grant.grantee, "files_shared", data, f"files_shared:{grant.id}:{grant.role}")
        return grant

    def revoke(self, owner: str, grant_id: str) -> Grant:
        grant = self.book.revoke(owner, grant_id, self.clock())
        self.svc.emitter.emit(
            "files", "grant_revoked", actor=owner, entity=grant_id, attrs={"user": grant.grantee}
        )
        return grant

    def given(self, owner: str) -> list[Grant]:
        return self.book.given(owner)

    def received(self, user: str) -> list[Grant]:
        return self.book.received(user)

    # ---- edits ---------------------------------------------------------------------------
    def edited(self, place: Place, entry: Entry) -> None:
        """``place.actor`` saved a version of ``entry`` (in ``place.tree``): notify the others
        who see it, at most once per file and recipient per window."""
        covering = self.book.covering(place.tree, entry.path)
        if not covering:
            return
        shown: dict[str, str] = {place.tree: entry.path}
        for g in sorted(covering, key=lambda g: len(g.path)):  # the deepest grant names it
            shown[g.grantee] = g.mount + entry.path[len(g.path) :]
        shown.pop(place.actor, None)
        now = self.clock()
        window = int(now // self.window_s)
        for user, path in sorted(shown.items()):
            key = (user, entry.id)
            with self._lock:
                last = self._last.get(key)
                if last is not None and now - last < self.window_s:
                    continue
                self._last[key] = now
                if len(self._last) > 100_000:
                    self._last = {k: t for k, t in self._last.items() if now - t < self.window_s}
            data = {"path": path, "by": place.actor}
            self._send(user, "files_edited", data, f"files_edited:{entry.id}:{user}:{window}")

    def _send(self, user: str, template: str, data: dict, idem_key: str) -> None:
        if self.notify is None:
            return
        try:
            if not self._ready:
                for name, (subject, body) in TEMPLATES.items():
                    self.notify.put_template(name, "en", subject, body)
                self._ready = True
            if self.notify.preferences(user)[0] is None:
                self.notify.upsert_profile(user)
            self.notify.send(
                "files",
                SendRequest(user_id=user, template=template, category=CATEGORY, data=data),
                idem_key=idem_key,
            )
        except DomainError as exc:  # an idempotent replay from another process, or a refusal
            log.info("files notification to %s not sent: %s", user, exc)
