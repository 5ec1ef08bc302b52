"""A crawl killed with kill -9 resumes from its persistent frontier: no refetch, no loss."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from crawlers.testsite import Site
from tests.crawlers.conftest import run_crawl, test_config

HOST = "127.0.0.5"  # robots.txt 404: allow all; /chain/0 ... /chain/39 link one to the next


def stored(db: Path) -> list[str]:
    if not db.exists():
        return []
    with sqlite3.connect(db) as con:
        try:
            return [r[0] for r in con.execute("SELECT url FROM pages")]
        except sqlite3.OperationalError:
            return []


def test_kill_minus_9_then_resume_refetches_nothing_stored_and_loses_nothing(
    tmp_path: Path,
) -> None:
    with Site(hosts=[HOST]) as site:
        site.chain_delay = 0.05
        config = test_config(
            site, tmp_path, seeds=[site.url(HOST, "/chain/0")], max_depth=100, per_host=1
        )
        path = config.save(tmp_path / "config.json")
        proc = subprocess.Popen(
            [sys.executable, "-m", "crawlers.run", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        db = tmp_path / "crawl.sqlite"
        deadline = time.monotonic() + 60
        try:
            while len(stored(db)) < 10 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        before = stored(db)
        assert 10 <= len(before) < 40, "the crawl must be killed midway"
        report = run_crawl(config)
        after = stored(db)
        assert report["pages"] == 40
        assert sorted(after) == sorted({site.url(HOST, f"/chain/{i}") for i in range(40)})
        for url in before:
            path_ = url.split(str(site.port), 1)[1]
            assert site.hits[(HOST, path_)] == 1, f"{url} was fetched again after resume"
