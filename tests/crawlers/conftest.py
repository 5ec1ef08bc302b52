"""Fixtures: the generated test web, and one full crawl of it shared by the behaviour tests."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawlers.run import CrawlConfig
from crawlers.testsite import Site

LOOPBACK = ["127.0.0.0/8"]


def run_crawl(config: CrawlConfig, timeout: float = 120) -> dict[str, Any]:
    """Run ``python -m crawlers.run`` as the asset does, and return its JSON report."""
    path = config.save(Path(config.crawl_dir) / "config.json")
    proc = subprocess.run(
        [sys.executable, "-m", "crawlers.run", str(path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_config(site: Site, crawl_dir: Path, **overrides: Any) -> CrawlConfig:
    fields: dict[str, Any] = {
        "crawl_id": "t",
        "crawl_dir": str(crawl_dir),
        "seeds": site.seeds(),
        "max_pages": 200,
        "max_depth": 4,
        "allowed_networks": LOOPBACK,
        "download_delay": 0.0,
        "timeout": 2.0,
        "extra_settings": {"DOWNLOAD_MAXSIZE": 1024 * 1024, "RETRY_TIMES": 0},
    }
    fields.update(overrides)
    return CrawlConfig(**fields)


test_config.__test__ = False  # type: ignore[attr-defined]


@dataclass
class Crawled:
    site: Site
    db: sqlite3.Connection
    report: dict[str, Any]
    crawl_dir: Path

    def url(self, host: str, path: str = "/") -> str:
        return self.site.url(host, path)

    def page(self, host: str, path: str) -> dict[str, Any] | None:
        cur = self.db.execute("SELECT * FROM pages WHERE url = ?", (self.url(host, path),))
        found = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], found, strict=True)) if found else None

    def errors(self, host: str, path: str) -> list[tuple[str, str]]:
        return [
            (r[0], r[1])
            for r in self.db.execute(
                "SELECT kind, reason FROM errors WHERE url = ?", (self.url(host, path),)
            )
        ]


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with Site() as s:
        yield s


@pytest.fixture(scope="module")
def crawled(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    """One crawl of the whole test web (about 10 s), inspected by many tests."""
    crawl_dir = tmp_path_factory.mktemp("crawl")
    config = test_config(site, crawl_dir, lake_dir=str(crawl_dir / "lake"))
    report = run_crawl(config)
    db = sqlite3.connect(crawl_dir / "crawl.sqlite")
    yield Crawled(site, db, report, crawl_dir)
    db.close()
