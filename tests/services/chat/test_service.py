"""The messaging domain without a server: conversations, the sequenced log, idempotent
resends, edit and delete windows, membership as events, retention and gaps."""

from __future__ import annotations

import threading

import orjson
import pytest

from services.errors import Conflict, Forbidden, Gone, Invalid, NotFound, TooLarge


def test_seqs_are_dense_and_follow_commit_order_under_concurrent_senders(chat):
    conv = chat.create_conversation("alice", ["bob", "carol"])
    start = conv.last_seq
    seqs: list[int] = []
    lock = threading.Lock()

    def sender(user: str) -> None:
        for i in range(40):
            posted = chat.post(user, "d1", conv.id, f"{user}-{i}", {"text": f"{user} {i}"})
            with lock:
                seqs.append(posted.message.seq)

    threads = [threading.Thread(target=sender, args=(u,)) for u in ("alice", "bob", "carol")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seqs) == list(range(start + 1, start + 121))
    rows, _, _ = chat.history("bob", conv.id, start, 500)
    assert [m.seq for m in rows] == list(range(start + 1, start + 121))
    for user in ("alice", "bob", "carol"):  # each sender's own order is kept
        mine = [orjson.loads(m.body)["text"] for m in rows if m.sender == user]
        assert mine == [f"{user} {i}" for i in range(40)]


def test_a_resend_with_the_same_client_id_is_stored_once(chat):
    conv = chat.create_conversation("alice", ["bob"])
    first = chat.post("alice", "p", conv.id, "c-1", {"text": "hello"})
    again = chat.post("alice", "p", conv.id, "c-1", {"text": "hello"})
    assert again.duplicate and again.message.seq == first.message.seq
    assert chat.store.conversation(conv.id).last_seq == first.message.seq
    with pytest.raises(Conflict):
        chat.post("alice", "p", conv.id, "c-1", {"text": "something else"})
    other = chat.post("bob", "p", conv.id, "c-1", {"text": "hello"})  # ids are per sender
    assert not other.duplicate


def test_membership_changes_are_rows_of_the_log_and_bound_what_a_member_sees(chat):
    conv = chat.create_conversation("alice", ["bob"], title="team")
    chat.post("alice", None, conv.id, "before", {"text": "before carol"})
    added = chat.add_member("alice", conv.id, "carol")
    after = chat.post("bob", None, conv.id, "after", {"text": "after carol"}).message
    rows, _, _ = chat.history("carol", conv.id, 0, 100)
    assert [m.seq for m in rows] == [added.seq, after.seq]
    assert rows[0].kind == "member_added" and orjson.loads(rows[0].body) == {"user": "carol"}
    removed = chat.remove_member("carol", conv.id, "carol")
    chat.post("alice", None, conv.id, "later", {"text": "carol is gone"})
    rows, _, _ = chat.history("carol", conv.id, after.seq, 100)
    assert [m.seq for m in rows] == [removed.seq]  # sees its own removal, nothing after
    with pytest.raises(Forbidden):
        chat.post("carol", None, conv.id, "x", {"text": "let me back"})
    with pytest.raises(Forbidden):
        chat.remove_member("bob", conv.id, "alice")  # only the creator removes others


def test_groups_are_capped_and_direct_conversations_are_unique_per_pair(chat):
    with pytest.raises(Invalid):
        chat.create_conversation("alice", [f"u{i}" for i in range(256)])  # 257 with alice
    full = chat.create_conversation("alice", [f"u{i}" for i in range(255)])
    assert len(chat.members("alice", full.id)) == 256
    with pytest.raises(Invalid):
        chat.add_member("alice", full.id, "one-more")
    d1 = chat.create_conversation("alice", ["bob"], direct=True)
    d2 = chat.create_conversation("bob", ["alice"], direct=True)
    assert d1.id == d2.id
    with pytest.raises(Invalid):
        chat.add_member("alice", d1.id, "carol")


def test_non_members_and_unknown_conversations_are_refused(chat):
    conv = chat.create_conversation("alice", ["bob"])
    with pytest.raises(Forbidden):
        chat.post("mallory", None, conv.id, "m", {"text": "hi"})
    with pytest.raises(Forbidden):
        chat.history("mallory", conv.id, 0, 10)
    with pytest.raises(NotFound):
        chat.post("alice", None, "0" * 32, "m", {"text": "hi"})


@pytest.mark.parametrize(
    "body",
    [{"text": ""}, {"text": "a\x00b"}, {"text": 5}, {"html": "<b>"}, ["text"], {"text": "\ud800"}],
)
def test_bad_bodies_are_invalid(chat, body):
    conv = chat.create_conversation("alice", ["bob"])
    with pytest.raises(Invalid):
        chat.post("alice", None, conv.id, "m", body)


def test_oversized_messages_are_refused_with_the_cap_named(chat):
    conv = chat.create_conversation("alice", ["bob"])
    with pytest.raises(TooLarge, match=str(chat.conf.max_message_bytes)):
        chat.post("alice", None, conv.id, "m", {"text": "x" * (chat.conf.max_message_bytes + 1)})


def test_edit_and_delete_are_events_in_the_log_within_their_windows(chat, clock):
    conv = chat.create_conversation("alice", ["bob"])
    m = chat.post("alice", None, conv.id, "m1", {"text": "helo"}).message
    edit = chat.edit("alice", None, conv.id, m.seq, {"text": "hello"}, "m1-e").message
    assert edit.kind == "edit" and edit.ref_seq == m.seq
    assert orjson.loads(chat.store.message(conv.id, m.seq).body) == {"text": "hello"}
    with pytest.raises(Forbidden):
        chat.edit("bob", None, conv.id, m.seq, {"text": "mine now"}, "b-e")
    clock.advance(chat.conf.edit_window_s + 1)
    with pytest.raises(Gone):
        chat.edit("alice", None, conv.id, m.seq, {"text": "too late"}, "m1-e2")
    deleted = chat.delete("alice", None, conv.id, m.seq, "m1-d").message
    assert deleted.kind == "delete" and deleted.body is None
    original = chat.store.message(conv.id, m.seq)
    assert original.deleted and original.body is None
    with pytest.raises(Gone):
        chat.delete("alice", None, conv.id, m.seq, "m1-d2")
    late = chat.post("alice", None, conv.id, "m2", {"text": "x"}).message
    clock.advance(chat.conf.delete_window_s + 1)
    with pytest.raises(Gone):
        chat.delete("alice", None, conv.id, late.seq, "m2-d")


def test_retention_purges_a_prefix_and_history_reports_the_gap(chat, clock):
    conv = chat.create_conversation("alice", ["bob"], retention_s=60)
    old = [chat.post("alice", None, conv.id, f"o{i}", {"text": "old"}).message for i in range(3)]
    clock.advance(61)
    new = chat.post("alice", None, conv.id, "n", {"text": "new"}).message
    purged = chat.purge_expired()
    assert purged == {conv.id: old[-1].seq}
    rows, _, gap = chat.history("bob", conv.id, 0, 100)
    assert [m.seq for m in rows] == [new.seq]
    assert gap == {
        "conv": conv.id,
        "from": 1,
        "to": old[-1].seq,
        "reason": "purged by the conversation's retention",
    }
    assert chat.purge_expired() == {}  # nothing more is due
    rows, _, gap = chat.history("bob", conv.id, old[-1].seq, 100)
    assert gap is None and [m.seq for m in rows] == [new.seq]


def test_encrypted_conversations_take_ciphertext_only(chat):
    conv = chat.create_conversation("alice", ["bob"], encrypted=True)
    with pytest.raises(Invalid, match="ciphertext only"):
        chat.post("alice", None, conv.id, "m", {"text": "plaintext leak"})
    with pytest.raises(Invalid, match="base64"):
        chat.post("alice", None, conv.id, "m", {"ciphertext": "not base64!", "alg": "x"})
    ok = chat.post("alice", None, conv.id, "m", {"ciphertext": "AAEC", "alg": "secretbox"})
    assert not ok.duplicate


def test_cursors_move_forward_only_and_receipts_aggregate_per_user(chat):
    conv = chat.create_conversation("alice", ["bob"])
    last = [chat.post("alice", "a", conv.id, f"m{i}", {"text": "t"}).message for i in range(3)][-1]
    assert chat.ack("bob", "phone", conv.id, last.seq)
    assert not chat.ack("bob", "phone", conv.id, last.seq - 1)
    chat.ack("bob", "laptop", conv.id, last.seq - 1, read=True)
    receipts = chat.receipts("alice", conv.id)
    by_device = {(r["user_id"], r["device_id"]): r for r in receipts["devices"]}
    assert by_device[("bob", "phone")]["delivered_seq"] == last.seq
    assert by_device[("bob", "laptop")]["read_seq"] == last.seq - 1
    assert receipts["users"] == [
        {"user_id": "bob", "delivered_seq": last.seq, "read_seq": last.seq - 1}
    ]
    with pytest.raises(Invalid):
        chat.ack("bob", "phone", conv.id, last.seq + 5)


def test_presence_follows_heartbeats_with_a_ttl_and_keeps_last_seen(chat, clock):
    chat.heartbeat("alice")
    (status,) = chat.presence_of(["alice"])
    assert status["online"] and status["last_seen"] == clock.now
    clock.advance(chat.conf.presence_ttl_s + 1)
    (status,) = chat.presence_of(["alice"])
    assert not status["online"]
    writes = chat.presence.writes
    for _ in range(100):  # many heartbeats within a third of the TTL cost one write
        chat.heartbeat("alice")
    assert chat.presence.writes == writes + 1
