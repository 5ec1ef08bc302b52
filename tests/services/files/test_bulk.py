"""Rows inserted through the driver's executemany: all of them, with reserved-word columns
quoted, and rows whose key is taken left out only when asked."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.exc import IntegrityError

from services.files.bulk import can_skip_existing, insert_rows
from services.files.packs import pack_index, pack_meta


def test_rows_are_inserted_and_taken_keys_skipped_only_when_asked(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'b.db'}")
    pack_meta.create_all(engine)
    cols = ("key", "pack", "offset", "length")  # "key" and "offset" are reserved words
    with engine.begin() as conn:
        assert can_skip_existing(conn)
        insert_rows(conn, pack_index, cols, [("a" * 64, "p1", 0, 10), ("b" * 64, "p1", 10, 5)])
        insert_rows(
            conn,
            pack_index,
            cols,
            [("a" * 64, "p2", 0, 99), ("c" * 64, "p2", 99, 1)],
            skip_existing=True,
        )
    with engine.connect() as conn:
        rows = {r.key[0]: (r.pack, r.offset, r.length) for r in conn.execute(select(pack_index))}
    assert rows == {"a": ("p1", 0, 10), "b": ("p1", 10, 5), "c": ("p2", 99, 1)}
    with pytest.raises(IntegrityError), engine.begin() as conn:
        insert_rows(conn, pack_index, cols, [("a" * 64, "p3", 0, 1)])
