"""A system's templated messages: sent once per template and key, with a profile made for a
user who had none, and nothing for a step that has no template."""

from __future__ import annotations

from services.compose import build_services, close_services
from services.notify.templated import TemplatedNotices

TEMPLATES = {"trip_done": ("Trip {{ id }} done", "You paid {{ cents / 100 }} for trip {{ id }}.")}


def test_each_template_and_key_is_sent_once_to_the_inbox(settings, emitter):
    built = build_services(settings, emitter, ["notify"])
    notify = built["notify"]
    try:
        notices = TemplatedNotices(notify, "rides", TEMPLATES)
        first = notices.send("ann", "trip_done", {"id": "t1", "cents": 1250}, "t1")
        again = notices.send("ann", "trip_done", {"id": "t1", "cents": 1250}, "t1")
        other = notices.send("ann", "trip_done", {"id": "t2", "cents": 900}, "t2")
        assert first == again and other != first
        assert notices.send("ann", "no_such_step", {}, "t1") is None
        notify.deliver_due(max_seconds=20)
        assert sorted(m["subject"] for m in notify.inbox("ann")) == ["Trip t1 done", "Trip t2 done"]
    finally:
        close_services(built)
