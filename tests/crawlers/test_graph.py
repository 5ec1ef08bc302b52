"""PageRank against networkx on the same graph, and recrawl intervals from change rates."""

from __future__ import annotations

import math
import random

import networkx as nx
import polars as pl
import pytest

from crawlers.graph import pagerank
from crawlers.recrawl import DAY, HOUR, RecrawlPolicy, change_rate, schedule


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pagerank_matches_networkx(seed: int) -> None:
    rng = random.Random(seed)
    edges = [(f"p{rng.randrange(80)}", f"p{rng.randrange(100)}") for _ in range(400)]
    edges += [("p0", "p0"), ("p1", "p2"), ("p1", "p2")]  # a self-loop and a duplicate edge
    graph = nx.DiGraph(edges)
    graph.add_node("isolated")
    expected = nx.pagerank(graph, alpha=0.85, tol=1e-10)
    got = pagerank(edges, nodes=["isolated"], tol=1e-10)
    assert set(got) == set(expected)
    assert max(abs(got[k] - expected[k]) for k in expected) < 1e-8
    assert math.isclose(sum(got.values()), 1.0, rel_tol=1e-9)


def test_change_rate_estimator() -> None:
    assert change_rate(0, 4, DAY) == 0.0
    assert math.isclose(change_rate(2, 4, DAY), -math.log(2.5 / 4.5) / DAY)
    assert math.isnan(change_rate(0, 0, 0.0))


def test_schedule_fetches_changing_pages_sooner() -> None:
    t0 = 1_700_000_000.0
    rows = []
    for i in range(5):
        rows.append(("http://h/news", t0 + i * DAY, f"v{i}"))  # changes every fetch
        rows.append(("http://h/about", t0 + i * DAY, "same"))
    rows.append(("http://h/new", t0, "x"))
    df = schedule(pl.DataFrame(rows, schema=["url", "fetched_at", "content_hash"], orient="row"))
    by = {r["url"]: r for r in df.to_dicts()}
    policy = RecrawlPolicy()
    assert by["http://h/news"]["changes"] == 4
    assert by["http://h/news"]["interval_hours"] < 24
    assert by["http://h/about"]["interval_hours"] == policy.max_interval / HOUR
    assert by["http://h/new"]["interval_hours"] == policy.default_interval / HOUR
    assert by["http://h/news"]["next_fetch"] == by["http://h/news"]["last_fetch"] + (
        by["http://h/news"]["interval_hours"] * HOUR
    )
