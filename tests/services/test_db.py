"""Store schemas: an existing database gains the nullable columns its tables grew."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from services.db import create_schema, make_engine


def _table(metadata: MetaData, *extra: Column) -> Table:
    return Table("things", metadata, Column("id", Integer, primary_key=True), *extra)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, settings):
    conf = request.getfixturevalue("pg_settings") if request.param == "postgresql" else settings
    engine = make_engine(conf, "schema_test")
    yield engine
    engine.dispose()


def test_an_existing_table_gains_its_new_nullable_column_and_keeps_its_rows(engine):
    old = _table(MetaData())
    create_schema(engine, old.metadata)
    with engine.begin() as conn:
        conn.execute(insert(old).values(id=1))
    new = _table(MetaData(), Column("note", String(64), nullable=True))
    assert create_schema(engine, new.metadata) == ["things.note"]
    assert create_schema(engine, new.metadata) == []  # nothing left to add
    with engine.begin() as conn:
        conn.execute(insert(new).values(id=2, note="kept"))
        assert conn.execute(select(new.c.id, new.c.note).order_by(new.c.id)).all() == [
            (1, None),
            (2, "kept"),
        ]


def test_a_new_not_null_column_is_refused_rather_than_added(engine):
    create_schema(engine, _table(MetaData()).metadata)
    new = _table(MetaData(), Column("must", String(8), nullable=False))
    with pytest.raises(RuntimeError, match="things.must is new and NOT NULL"):
        create_schema(engine, new.metadata)
