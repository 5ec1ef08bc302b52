"""Grants and edits of shared files reach the other users through the notification system,
an edit burst coalesced, the users' preferences applied."""

from __future__ import annotations

import pytest

from services.compose import build_services, close_services
from tests.services.files.conftest import Clock


@pytest.fixture
def systems(settings, emitter):
    services = build_services(settings, emitter, ["files"])
    files, notify = services["files"], services["notify"]
    clock = Clock()
    files.clock = files.granting.clock = clock
    yield files, notify, clock
    close_services(services)


def _inbox(notify, user: str) -> list[str]:
    worker = notify.worker()
    try:
        worker.run(drain=True, horizon_s=1, max_seconds=20, idle_sleep=0.02)
    finally:
        worker.close()
    return [m["subject"] for m in notify.inbox(user)]


def test_a_grant_and_edits_notify_the_others_once_per_file_per_window(systems):
    files, notify, clock = systems
    files.put_file("alice", "docs/a.txt", b"one")
    files.granting.grant("alice", "docs", "bob", "editor")
    files.granting.grant("alice", "docs", "carol", "viewer")
    assert _inbox(notify, "bob") == ["alice shared docs with you"]
    for i in range(5):  # a burst of saves by bob
        clock.t += 10
        files.put_file("bob", "shared/alice/docs/a.txt", b"v%d" % i)
    edited = "shared/alice/docs/a.txt was changed"
    assert _inbox(notify, "alice") == ["docs/a.txt was changed"]
    assert _inbox(notify, "carol") == ["alice shared docs with you", edited]
    assert _inbox(notify, "bob") == ["alice shared docs with you"]  # never the editor
    clock.t += files.conf.edit_notice_window_s + 1
    files.put_file("alice", "docs/a.txt", b"later")  # the owner edits: the grantees hear
    assert _inbox(notify, "bob")[-1] == edited
    assert _inbox(notify, "carol").count(edited) == 2
    assert len(_inbox(notify, "alice")) == 1  # not told of her own edit
    files.put_file("alice", "private.txt", b"x")  # not shared: nobody is told
    assert len(_inbox(notify, "bob")) == 2


def test_preferences_are_respected(systems):
    files, notify, clock = systems
    notify.upsert_profile("dave")
    notify.set_preferences("dave", "dave", categories={"files": {"inbox": False}})
    files.put_file("alice", "docs/a.txt", b"one")
    files.granting.grant("alice", "docs", "dave", "viewer")
    files.granting.grant("alice", "docs", "erin", "viewer")
    assert _inbox(notify, "dave") == []
    assert _inbox(notify, "erin") == ["alice shared docs with you"]
