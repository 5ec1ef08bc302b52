"""Ratcheted sessions (Megolm-style hash ratchet, client-side): a device given the session at
step k reads messages from k on and none before, the sender and a re-shared device of the
sender's user read the whole history, and the server stores the step with the ciphertext."""

from __future__ import annotations

import pytest

from services.chat.e2e import DeviceCrypto
from services.errors import Invalid


def test_a_share_opens_messages_from_its_step_on_and_none_before():
    alice, alice2, bob = DeviceCrypto(), DeviceCrypto(), DeviceCrypto()
    session = alice.new_session("c1", ratchet=True)
    early = [alice.encrypt("c1", session, f"early {i}") for i in range(3)]
    bob.receive(alice.share("c1", session, bob.public_key))  # shared at step 3
    late = [alice.encrypt("c1", session, f"late {i}") for i in range(3)]
    assert [b["index"] for b in early + late] == [0, 1, 2, 3, 4, 5]
    assert len({b["ciphertext"] for b in early + late}) == 6
    assert [bob.decrypt("c1", b) for b in reversed(late)] == ["late 2", "late 1", "late 0"]
    for b in early:
        with pytest.raises(KeyError):
            bob.decrypt("c1", b)
    # The sender reads its own history; a re-share to its user's new device gives it all.
    assert alice.decrypt("c1", early[0]) == "early 0"
    for envelope in alice.share_all(alice2.public_key):
        alice2.receive(envelope)
    assert [alice2.decrypt("c1", b) for b in early + late] == [
        *(f"early {i}" for i in range(3)),
        *(f"late {i}" for i in range(3)),
    ]
    # Bob re-sharing what he holds cannot widen it: his new device still starts at step 3.
    bob2 = DeviceCrypto()
    for envelope in bob.share_all(bob2.public_key):
        bob2.receive(envelope)
    assert bob2.decrypt("c1", late[0]) == "late 0"
    with pytest.raises(KeyError):
        bob2.decrypt("c1", early[2])


def test_the_server_keeps_the_step_and_refuses_a_bad_one(chat):
    conv = chat.create_conversation("alice", ["bob"], encrypted=True)
    alice = DeviceCrypto()
    session = alice.new_session(conv.id, ratchet=True)
    body = alice.encrypt(conv.id, session, "secret")
    stored = chat.post("alice", "a1", conv.id, "m1", body).message
    assert '"index":0' in stored.body
    for bad in (-1, "1", True, 2**60):
        with pytest.raises(Invalid):
            chat.post("alice", "a1", conv.id, f"bad-{bad}", {**body, "index": bad})
