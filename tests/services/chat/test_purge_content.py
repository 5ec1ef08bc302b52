"""Purged content does not survive: after a delete for everyone (of an edited message) and a
retention purge, no byte of those texts is left in the store, its files, the spool or the
lake. The lake never had them: ``chat`` events carry metadata (seq, sizes, times), no body."""

from __future__ import annotations

import uuid
from pathlib import Path

from warehouse.ingest import ingest_spool
from warehouse.lake import Lake


def _files_containing(root: Path, needle: bytes) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_deleted_and_expired_texts_leave_no_trace_in_store_spool_or_lake(
    chat, clock, settings, emitter
):
    tag = uuid.uuid4().hex
    deleted, edited, expired, kept = (f"{w}-{tag}" for w in ("gone", "edited", "expired", "kept"))
    conv = chat.create_conversation("alice", ["bob"], title="plans")
    first = chat.post("alice", "a1", conv.id, "c1", {"text": deleted}).message
    chat.edit("alice", "a1", conv.id, first.seq, {"text": edited}, "c2")
    chat.delete("alice", "a1", conv.id, first.seq, "c3")
    chat.post("bob", "b1", conv.id, "c4", {"text": kept})
    brief = chat.create_conversation("alice", ["bob"], title="brief", retention_s=60)
    chat.post("alice", "a1", brief.id, "c5", {"text": expired})
    clock.advance(120)
    assert chat.purge_expired() == {brief.id: 4}

    rows, _, _ = chat.history("bob", conv.id, 0, 100)
    assert [r.kind for r in rows if r.seq >= first.seq] == ["message", "edit", "delete", "message"]
    assert [r.body for r in rows if first.seq <= r.seq < first.seq + 3] == [None, None, None]
    chat.close()
    emitter.flush()
    for text in (deleted, edited, expired):
        assert _files_containing(settings.data_dir, text.encode()) == [], text
    assert _files_containing(settings.data_dir, kept.encode())  # the check can see content

    ingest_spool(settings.spool_dir, settings.lake_dir)
    lake = Lake(settings.lake_dir)
    types = set(lake.query("SELECT DISTINCT type FROM chat_events")["type"].to_list())
    assert {"message_stored", "message_edited", "message_deleted", "messages_purged"} <= types
    for table in lake.tables():
        for text in (deleted, edited, expired, kept):
            hits = lake.query(
                f'SELECT count(*) AS n FROM "{table}" t WHERE CAST(t AS VARCHAR) LIKE ?',
                [f"%{text}%"],
            )
            assert hits["n"][0] == 0, (table, text)
