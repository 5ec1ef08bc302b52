"""The command line tells the truth: failures exit non-zero with one line saying why, there is a
version, and SQL explains itself (tables with row counts, columns, a catalog file, names
beside ids, views only for systems that exist)."""

from __future__ import annotations

from importlib.metadata import version

import duckdb
from click.testing import CliRunner

from pipelines.cli import main
from warehouse.ingest import ingest_spool
from warehouse.systems import SYSTEMS


def test_version_names_the_installed_package() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and version("system-blueprints") in result.output


def test_a_crawl_of_an_invalid_seed_exits_1_with_the_reason(settings) -> None:
    result = CliRunner().invoke(main, ["crawl", "run", "not-a-url"])
    assert result.exit_code == 1
    assert "bad seed URL" in result.output and "not-a-url" in result.output


def test_a_crawl_whose_every_seed_failed_exits_1_with_the_reasons(settings) -> None:
    # Loopback targets are refused by default: the one seed fails, nothing is fetched.
    result = CliRunner().invoke(main, ["crawl", "run", "http://127.0.0.1:9/", "--max-pages", "1"])
    assert result.exit_code == 1, result.output
    assert "fetched no page" in result.output and "127.0.0.1" in result.output


def _lake_with_names(settings, emitter) -> None:
    emitter.emit("video", "upload_created", actor="alice", entity="v1", attrs={"title": "Cats"})
    emitter.emit(
        "shortener",
        "link_created",
        actor="bob",
        entity="abc1234",
        attrs={"url": "https://example.org/a"},
    )
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)


def test_sql_lists_tables_and_views_with_row_counts_and_names_beside_ids(settings, emitter) -> None:
    _lake_with_names(settings, emitter)
    listed = CliRunner().invoke(main, ["sql", "--tables", "--format", "csv"])
    assert listed.exit_code == 0, listed.output
    rows = {line.split(",")[0]: line.split(",")[1:] for line in listed.output.splitlines()[1:]}
    assert rows["events"] == ["table", "2"]
    assert rows["video_titles"] == ["view", "1"] and rows["short_links"] == ["view", "1"]
    for s in SYSTEMS:
        assert (f"{s.id}_events" in rows) == s.built, s.id
    named = CliRunner().invoke(main, ["sql", "SELECT title FROM video_titles", "--format", "csv"])
    assert named.output.splitlines() == ["title", "Cats"]
    columns = CliRunner().invoke(main, ["sql", "--describe", "short_links", "--format", "csv"])
    assert [c.split(",")[0] for c in columns.output.splitlines()[1:]] == [
        "code",
        "url",
        "owner",
        "created",
    ]
    missing = CliRunner().invoke(main, ["sql", "--describe", "nope"])
    assert missing.exit_code == 1 and "--tables" in missing.output
    assert CliRunner().invoke(main, ["sql"]).exit_code == 2


def test_sql_catalog_writes_a_duckdb_file_other_processes_can_open(settings, emitter) -> None:
    _lake_with_names(settings, emitter)
    for _ in range(2):  # written again over the old one
        result = CliRunner().invoke(main, ["sql", "--catalog"])
        assert result.exit_code == 0, result.output
    path = settings.data_dir / "lake.duckdb"
    assert sorted(p.name for p in settings.data_dir.glob("*lake.duckdb*")) == ["lake.duckdb"]
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.sql("SELECT url FROM short_links").fetchall() == [("https://example.org/a",)]
    with duckdb.connect(str(path)) as con:  # nothing holds it: a writer may open it too
        assert con.sql("SELECT count(*) FROM events").fetchall() == [(2,)]
