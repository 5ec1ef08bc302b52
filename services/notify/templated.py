"""A system's own messages through the notification system: its templates, put once, and each
message sent once (the template and the subject's key make the idempotency key) to the user's
in-app inbox and any channel their preferences allow. Booking, ride sharing and e-commerce
send through it; a user with no notification profile gets one on their first message."""

from __future__ import annotations

from typing import Any

from services.notify.sending import SendRequest

Templates = dict[str, tuple[str, str]]  # name -> (subject, body), Jinja


class TemplatedNotices:
    def __init__(self, notify: Any, system: str, templates: Templates) -> None:
        self.notify = notify
        self.system = system
        self.templates = templates
        self._ready = False

    def _setup(self) -> None:
        if not self._ready:
            for name, (subject, body) in self.templates.items():
                self.notify.put_template(name, "en", subject, body)
            self._ready = True

    def send(self, user_id: str, template: str, data: dict[str, Any], key: str) -> str | None:
        """Send ``template`` about ``key`` to ``user_id`` once; the notification's id, or None
        for a step that has no template (nothing to tell)."""
        if template not in self.templates:
            return None
        self._setup()
        if self.notify.preferences(user_id)[0] is None:
            self.notify.upsert_profile(user_id)
        view, _created = self.notify.send(
            self.system,
            SendRequest(
                user_id=user_id,
                template=template,
                category=self.system,
                data=data,
                channels=["inbox"],
            ),
            idem_key=f"{template}:{key}"[:255],
        )
        return view["id"]
