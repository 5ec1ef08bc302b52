"""Attachments go through the file service: a message names the sender's own files and
carries read-only links in their place; the links die with the message (delete for everyone,
the retention purge); a refused or replayed message leaves no link behind; an edit keeps the
attachments."""

from __future__ import annotations

import orjson
import pytest

from services.chat.settings import ChatSettings
from services.chat.system import build
from services.compose import build_services, close_services
from services.errors import Conflict, Invalid
from tests.fake_clock import FakeClock


@pytest.fixture
def systems(settings, emitter):
    clock = FakeClock(1_800_000_000.0)
    services = build_services(settings, emitter, ["files", "notify"])
    files = services["files"]
    chat = build(
        settings, emitter, conf=ChatSettings(), clock=clock, files=files, notify=services["notify"]
    )
    yield chat, files, clock
    chat.close()
    close_services(services)


def _read(files, url: str) -> bytes:
    token = url.split("/files/s/")[1].split("/")[0]
    share = files.sharing.resolve(token, None, "test")
    _, version = files.sharing.version(share)
    return b"".join(files.sharing.read(share, version, 0, version.size))


def _live(files, owner: str) -> list[str]:
    return [s.id for s in files.sharing.book.list(owner) if not s.revoked]


def test_a_message_carries_links_to_the_senders_files_and_members_read_them(systems):
    chat, files, _ = systems
    files.put_file("alice", "docs/plan.txt", b"the plan")
    conv = chat.create_conversation("alice", ["bob"])
    posted = chat.post(
        "alice", "d1", conv.id, "m1", {"text": "see attached", "attachments": ["docs/plan.txt"]}
    )
    (item,) = orjson.loads(posted.message.body)["attachments"]
    assert item["name"] == "plan.txt" and item["size"] == 8 and "docs" not in item["url"]
    assert _read(files, item["url"]) == b"the plan"
    rows, _, _ = chat.history("bob", conv.id, 0, 10)
    assert orjson.loads(rows[-1].body)["attachments"] == [item]

    again = chat.post(
        "alice", "d1", conv.id, "m1", {"text": "see attached", "attachments": ["docs/plan.txt"]}
    )
    assert again.duplicate and _live(files, "alice") == [item["share"]]  # no second link
    with pytest.raises(Conflict):
        chat.post("alice", "d1", conv.id, "m1", {"text": "something else"})

    edited = chat.edit("alice", "d1", conv.id, posted.message.seq, {"text": "the plan"}, "e1")
    assert not edited.duplicate
    rows, _, _ = chat.history("bob", conv.id, 0, 10)
    original = next(m for m in rows if m.seq == posted.message.seq)
    assert orjson.loads(original.body)["attachments"] == [item]  # the edit kept it
    with pytest.raises(Invalid, match="keeps the message's attachments"):
        chat.edit(
            "alice", "d1", conv.id, posted.message.seq, {"text": "x", "attachments": ["a"]}, "e2"
        )

    chat.delete("alice", "d1", conv.id, posted.message.seq, "del1")
    assert _live(files, "alice") == []  # deleted for everyone: the link is gone


def test_someone_elses_missing_or_folder_paths_are_refused_and_leave_no_link(systems):
    chat, files, _ = systems
    files.put_file("alice", "mine.txt", b"a")
    files.put_file("bob", "secret.txt", b"b")
    conv = chat.create_conversation("alice", ["bob"])
    for paths in (["mine.txt", "secret.txt"], ["nope.txt"], ["../bob/secret.txt"], ["/"]):
        with pytest.raises(Invalid):
            chat.post("alice", None, conv.id, "x", {"text": "hi", "attachments": paths})
    assert _live(files, "alice") == []  # mine.txt's link was taken back
    with pytest.raises(Invalid):
        chat.post("alice", None, conv.id, "x", {"text": "hi", "attachments": ["a", "a"]})
    outsider = chat.create_conversation("bob", ["carol"])
    with pytest.raises(Exception, match="member"):
        chat.post("alice", None, outsider.id, "x", {"text": "hi", "attachments": ["mine.txt"]})
    assert _live(files, "alice") == []


def test_the_retention_purge_revokes_the_attachments_of_what_it_purges(systems):
    chat, files, clock = systems
    files.put_file("alice", "old.txt", b"old")
    files.put_file("alice", "new.txt", b"new")
    conv = chat.create_conversation("alice", ["bob"], retention_s=60)
    old = chat.post("alice", None, conv.id, "o", {"text": "o", "attachments": ["old.txt"]})
    clock.advance(61)
    new = chat.post("alice", None, conv.id, "n", {"text": "n", "attachments": ["new.txt"]})
    assert chat.purge_expired() == {conv.id: old.message.seq}
    (kept,) = orjson.loads(new.message.body)["attachments"]
    assert _live(files, "alice") == [kept["share"]]
    assert _read(files, kept["url"]) == b"new"
