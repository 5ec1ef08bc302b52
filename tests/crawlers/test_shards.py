"""Host-sharded crawling over two processes finds the same pages as one process."""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from crawlers.run import wait_all
from crawlers.shards import pin_hosts, shard_dir, shard_of
from crawlers.store import connect_wal
from crawlers.testsite import Site
from tests.crawlers.conftest import run_crawl, test_config


@pytest.mark.slow
def test_two_shards_crawl_the_test_web_once_each_with_cross_shard_links(tmp_path: Path) -> None:
    with Site() as site:
        report = run_crawl(test_config(site, tmp_path, processes=2, lake_dir=str(tmp_path / "l")))
        hits = dict(site.hits)
        pinned = pin_hosts([site.url("127.0.0.2").split("/")[2]], 2)
    assert report["pages"] == 35 and report["lake_rows"]["crawl_pages"] == 35
    # Each process keeps its own robots.txt cache (a redirect may cross into another shard's
    # host), so only pages count here.
    loops = {"/loop/a", "/loop/b", "/robots.txt"}
    assert {k: n for k, n in hits.items() if n > 1 and k[1] not in loops} == {}
    forwarded = 0
    for k in range(2):
        with sqlite3.connect(shard_dir(tmp_path, k) / "crawl.sqlite") as con:
            hosts = {r[0] for r in con.execute("SELECT DISTINCT host FROM pages")}
            assert hosts and all(shard_of(h, 2, pinned) == k for h in hosts)
            forwarded += con.execute(
                "SELECT count(*) FROM frontier WHERE origin IS NOT NULL"
            ).fetchone()[0]
            assert con.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    assert forwarded > 0


def _open_wal(path: Path, start: Any, errors: Any) -> None:
    start.wait()
    try:
        connect_wal(path, timeout=10).close()
    except sqlite3.OperationalError as exc:
        errors.put(str(exc))


def _open_together(path: Path, n: int) -> list[str]:
    """``n`` processes open ``path`` at the same instant (threads would not race in SQLite)."""
    ctx = multiprocessing.get_context("fork")
    start, errors = ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_open_wal, args=(path, start, errors)) for _ in range(n)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=30)
    return [errors.get() for _ in range(errors.qsize())]


def test_shards_opening_one_database_together_all_get_wal(tmp_path: Path) -> None:
    for round_ in range(20):  # a plain connect fails about one round in three
        path = tmp_path / f"coord-{round_}.sqlite"
        assert _open_together(path, 4) == []
        with sqlite3.connect(path) as con:
            assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_failed_shard_stops_its_peers_instead_of_leaving_them_waiting() -> None:
    started = time.monotonic()
    procs = [
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]),
        subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"]),
    ]
    codes = wait_all(procs, poll_s=0.05)
    assert codes[1] == 3 and codes[0] != 0
    assert time.monotonic() - started < 20


def test_a_peer_that_ignores_sigterm_is_killed_after_the_grace_period() -> None:
    started = time.monotonic()
    deaf = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
    procs = [
        subprocess.Popen([sys.executable, "-c", deaf]),
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1); raise SystemExit(3)"]),
    ]
    codes = wait_all(procs, poll_s=0.05, grace_s=1.0)
    assert codes == [-9, 3]
    assert time.monotonic() - started < 20
