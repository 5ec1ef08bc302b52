"""``blueprint social``: trends, search and profiles, through the composition root."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest
from click.testing import CliRunner

from pipelines.commands.social import cli
from services.social.trends import TRENDS_TABLE
from warehouse.parquet_io import publish_parquet


@pytest.fixture
def runner(settings, emitter, monkeypatch) -> CliRunner:
    """A runner whose commands see this test's settings and emitter."""
    monkeypatch.setattr("warehouse.emitter._default", emitter)
    return CliRunner()


@pytest.fixture
def seeded(settings, emitter):
    from services.social.system import build

    svc = build(settings, emitter)
    for name, bio in (("ann", "duckdb fan"), ("bob", "rust and parquet")):
        svc.create_user(name, name.title(), bio)
    svc.create_post("ann", "duckdb is fast #data")
    svc.create_post("bob", "duckdb duckdb parquet")
    svc.create_post("bob", "unrelated")
    svc.close()


def test_trends_says_when_none_were_computed_then_lists_the_latest_run(runner, settings):
    first = runner.invoke(cli, ["trends"])
    assert first.exit_code == 0, first.output
    assert "no trends yet" in first.output
    df = pl.DataFrame(
        {
            "tag": ["eclipse", "python"],
            "score": [9.0, 4.0],
            "observed": [10, 5],
            "expected": [1.0, 1.0],
            "authors": [6, 4],
        }
    ).with_columns(pl.lit(datetime(2026, 3, 1, 12, tzinfo=UTC)).alias("computed_at"))
    publish_parquet(df, settings.lake_dir / TRENDS_TABLE / "trends.parquet")
    got = runner.invoke(cli, ["trends", "--limit", "1"])
    assert got.exit_code == 0, got.output
    assert "2026-03-01T12:00:00" in got.output
    assert "#eclipse" in got.output and "authors=6" in got.output
    assert "#python" not in got.output


def test_search_ranks_posts_and_finds_users(runner, seeded):
    posts = runner.invoke(cli, ["search", "duckdb"])
    assert posts.exit_code == 0, posts.output
    lines = posts.output.strip().splitlines()
    assert [line.split("@")[1].split(":")[0] for line in lines] == ["bob", "ann"]
    users = runner.invoke(cli, ["search", "--users", "parq"])
    assert users.output.startswith("@bob")
    assert "no posts match" in runner.invoke(cli, ["search", "nothinglikethis"]).output
    bad = runner.invoke(cli, ["search", "!!!"])
    assert bad.exit_code != 0 and "at least one word" in bad.output


def test_user_shows_a_profile_with_its_posts_and_refuses_unknown_handles(runner, seeded):
    got = runner.invoke(cli, ["user", "bob", "--limit", "1"])
    assert got.exit_code == 0, got.output
    assert got.output.startswith("@bob (Bob): 0 followers")
    assert "unrelated" in got.output and "duckdb" not in got.output.split("\n", 2)[2]
    missing = runner.invoke(cli, ["user", "ghost"])
    assert missing.exit_code != 0 and "no user @ghost" in missing.output
