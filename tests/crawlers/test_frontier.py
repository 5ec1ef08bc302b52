"""Frontier priorities, per-host caps, budgets and persistence."""

from __future__ import annotations

from pathlib import Path

from crawlers.frontier import Frontier
from crawlers.store import CrawlStore


def make(tmp_path: Path, **kw: object) -> Frontier:
    return Frontier(CrawlStore(tmp_path / "c.sqlite"), bloom_capacity=1000, **kw)  # type: ignore[arg-type]


def test_shallow_and_high_prior_urls_come_first(tmp_path: Path) -> None:
    f = make(tmp_path, per_host_cap=10, priors={"http://a/important": 2.0})
    f.add_seeds(["http://a/"])
    rows = f.filter_new(["http://a/x", "http://a/important"], 1, "http://a/")
    f.store.add_urls(rows)
    f.accept(rows)
    order = [f.next()[0] for _ in range(3)]
    assert order == ["http://a/important", "http://a/", "http://a/x"]


def test_per_host_cap_lets_other_hosts_through(tmp_path: Path) -> None:
    f = make(tmp_path, per_host_cap=1)
    f.add_seeds(["http://a/1", "http://a/2", "http://b/1"])
    first, second = f.next()[0], f.next()[0]
    assert {first.split("/")[2], second.split("/")[2]} == {"a", "b"}
    assert f.next() is None  # both hosts at their cap
    f.release(first, fetched=True)
    assert f.next() is not None


def test_depth_budget_drops_deeper_links(tmp_path: Path) -> None:
    f = make(tmp_path, max_depth=2)
    assert f.filter_new(["http://a/deep"], 3, "http://a/") == []
    assert len(f.filter_new(["http://a/ok"], 2, "http://a/")) == 1


def test_page_budget_stops_handing_out(tmp_path: Path) -> None:
    f = make(tmp_path, max_pages=2, per_host_cap=5)
    f.add_seeds([f"http://a/{i}" for i in range(5)])
    got = [f.next() for _ in range(3)]
    assert got[2] is None and not f.budget_left()


def test_seen_urls_are_not_added_twice(tmp_path: Path) -> None:
    f = make(tmp_path)
    assert f.add_seeds(["http://a/"]) == 1
    assert f.add_seeds(["http://a/"]) == 0


def test_state_survives_reopening(tmp_path: Path) -> None:
    f = make(tmp_path, per_host_cap=5)
    f.add_seeds(["http://a/1", "http://a/2", "http://a/3"])
    url, depth = f.next()
    page = {"url": url, "host": "a", "fetched_at": 1.0}
    f.store.record_page(page, [], [])
    f.store.close()
    again = make(tmp_path, per_host_cap=5)
    assert again.done == 1
    pending = {again.next()[0], again.next()[0]}
    assert url not in pending and len(pending) == 2
    assert again.is_new(url) is False
