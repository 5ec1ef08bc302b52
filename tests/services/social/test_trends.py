"""Trend scoring: volume against expectation, time decay, and the distinct-author floor."""

from datetime import UTC, datetime, timedelta

import polars as pl

from services.social.trends import score_trends

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _uses(rows):
    return pl.DataFrame(
        rows,
        schema={"ts": pl.Datetime("us", "UTC"), "tag": pl.String, "author": pl.String},
        orient="row",
    )


def test_a_burst_beats_a_steady_tag_with_more_total_volume():
    rows = []
    for h in range(1, 24):  # "coffee" is used 10 times every hour: expected
        rows += [(NOW - timedelta(hours=h, minutes=5), "coffee", f"a{i}") for i in range(10)]
    rows += [(NOW - timedelta(minutes=5), "coffee", f"a{i}") for i in range(11)]
    rows += [(NOW - timedelta(minutes=3), "eclipse", f"b{i}") for i in range(8)]  # new burst
    scored = score_trends(_uses(rows), NOW)
    assert scored["tag"].to_list()[0] == "eclipse"
    coffee = scored.filter(pl.col("tag") == "coffee")
    assert coffee.is_empty() or coffee["score"][0] < scored["score"][0] / 10


def test_one_author_cannot_make_a_tag_trend():
    rows = [(NOW - timedelta(minutes=1), "spam", "bot") for _ in range(500)]
    rows += [(NOW - timedelta(minutes=1), "real", f"u{i}") for i in range(3)]
    assert score_trends(_uses(rows), NOW)["tag"].to_list() == ["real"]


def test_older_history_weighs_less_than_recent_history():
    recent = [(NOW - timedelta(hours=1, minutes=5), "a", f"x{i}") for i in range(20)]
    old = [(NOW - timedelta(hours=20, minutes=5), "b", f"y{i}") for i in range(20)]
    now_rows = [(NOW - timedelta(minutes=1), t, f"z{i}") for t in "ab" for i in range(25)]
    scored = {r["tag"]: r for r in score_trends(_uses(recent + old + now_rows), NOW).to_dicts()}
    assert scored["a"]["expected"] > scored["b"]["expected"]
    assert scored["b"]["score"] > scored["a"]["score"]


def test_no_uses_no_trends():
    assert score_trends(_uses([]), NOW).is_empty()
