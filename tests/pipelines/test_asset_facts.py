"""What the Dagster UI shows about assets: owners, code versions, column schemas, and time
partitions that start at the first data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from assets.facts import column_schema, first_data_day
from pipelines.definitions import build_definitions


def test_every_asset_has_an_owner_and_a_code_version() -> None:
    graph = build_definitions().resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if not node.is_materializable:
            continue
        assert node.owners == [f"team:{node.group_name}"], key
        assert node.code_version and len(node.code_version) == 12, key


def test_column_schema_comes_from_the_tables_parquet_or_its_spool_spec(tmp_path) -> None:
    folder = tmp_path / "video_engagement" / "date=2026-01-02"
    folder.mkdir(parents=True)
    pl.DataFrame({"video_id": ["v1"], "views": [3]}).write_parquet(folder / "part.parquet")
    schema = column_schema("video_engagement", tmp_path)
    assert [(c.name, c.type) for c in schema.columns] == [
        ("video_id", "String"),
        ("views", "Int64"),
    ]
    spooled = column_schema("events", tmp_path)  # no files yet: the spool table spec
    assert {"event_id", "system", "type", "source", "seq"} <= {c.name for c in spooled.columns}
    assert column_schema("no_such_table", tmp_path) is None


def test_time_partitions_start_at_the_first_day_with_data(tmp_path) -> None:
    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
    assert first_data_day("logs", lake_dir=tmp_path) == yesterday
    for day in ("2025-03-04", "2025-02-01", "not-a-day"):
        (tmp_path / "logs" / f"date={day}").mkdir(parents=True)
    (tmp_path / "events" / "date=2025-02-10").mkdir(parents=True)
    assert first_data_day("logs", "events", lake_dir=tmp_path) == "2025-02-01"
    (tmp_path / "logs" / "service=api" / "date=2024-12-31").mkdir(parents=True)
    assert first_data_day("logs", lake_dir=tmp_path) == "2024-12-31"
