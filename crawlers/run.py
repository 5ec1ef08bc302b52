"""Run one crawl in this process (a fresh one: the Twisted reactor cannot restart).

``python -m crawlers.run CONFIG.json``. The Dagster asset launches it through Dagster Pipes
and receives pages, errors and bytes as materialisation metadata; without Pipes it prints
the same report as JSON. The crawl's state lives in ``<crawl_dir>/crawl.sqlite``: running
the same config again resumes it.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class CrawlConfig:
    crawl_id: str
    crawl_dir: str
    seeds: list[str]
    lake_dir: str = ""
    max_pages: int = 1000
    max_depth: int = 5
    allow_private: bool = False
    allowed_networks: list[str] = field(default_factory=list)
    allowed_hosts: list[str] = field(default_factory=list)
    download_delay: float = 1.0
    host_delays: dict[str, float] = field(default_factory=dict)
    concurrency: int = 16
    per_host: int = 2
    timeout: float = 15.0
    priors_path: str = ""
    processes: int = 1
    bloom_capacity: int = 1_000_000
    bloom_fpr: float = 0.001
    extra_settings: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> CrawlConfig:
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        return path

    def scrapy_settings(self) -> dict[str, Any]:
        return {
            "CRAWL_DIR": self.crawl_dir,
            "CRAWL_SEEDS": self.seeds,
            "CRAWL_MAX_PAGES": self.max_pages,
            "CRAWL_MAX_DEPTH": self.max_depth,
            "CRAWL_ALLOW_PRIVATE": self.allow_private,
            "CRAWL_ALLOWED_NETWORKS": self.allowed_networks,
            "CRAWL_ALLOWED_HOSTS": self.allowed_hosts,
            "DOWNLOAD_DELAY": self.download_delay,
            "POLITENESS_HOST_DELAYS": self.host_delays,
            "CONCURRENT_REQUESTS": self.concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": self.per_host,
            "DOWNLOAD_TIMEOUT": self.timeout,
            "CRAWL_PRIORS_PATH": self.priors_path,
            "CRAWL_BLOOM_CAPACITY": self.bloom_capacity,
            "CRAWL_BLOOM_FPR": self.bloom_fpr,
            **self.extra_settings,
        }


def crawl(config: CrawlConfig) -> dict[str, Any]:
    """Run the crawl to completion (or budget) and return a report.

    With ``processes > 1`` this process only starts one shard process per CPU share and
    waits; each shard runs its own engine over the hosts it owns (``crawlers.shards``).
    """
    started = time.time()
    if config.processes > 1:
        shard_procs = [
            subprocess.Popen(
                [sys.executable, "-m", "crawlers.run", str(_config_path(config)), "--shard", str(k)]
            )
            for k in range(config.processes)
        ]
        codes = wait_all(shard_procs)
        if any(codes):
            raise RuntimeError(f"crawl shard processes failed with exit codes {codes}")
        return report(config, time.time() - started, {})
    stats = run_engine(config)
    return report(config, time.time() - started, stats)


def wait_all(
    procs: list[subprocess.Popen], poll_s: float = 0.2, grace_s: float = 10.0
) -> list[int]:
    """Exit codes of every process. When one fails, the others are stopped: a shard waits
    for all its peers to go idle, and a peer that died never will. A peer still running
    ``grace_s`` after SIGTERM is killed (SIGTERM may be ignored: a process inherits that)."""
    while True:
        codes = [p.poll() for p in procs]
        if all(c == 0 for c in codes):
            return codes
        if any(c not in (None, 0) for c in codes):
            for p in procs:
                if p.poll() is None:
                    p.terminate()
            deadline = time.monotonic() + grace_s
            for p in procs:
                try:
                    p.wait(timeout=max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    p.kill()
            return [p.wait() for p in procs]
        time.sleep(poll_s)


def _config_path(config: CrawlConfig) -> Path:
    return config.save(Path(config.crawl_dir) / "config.json")


def run_engine(config: CrawlConfig, shard: int | None = None) -> dict[str, Any]:
    """One Scrapy engine in this process (the reactor runs once per process)."""
    from scrapy.core.engine import ExecutionEngine
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from crawlers import settings as defaults
    from crawlers.spiders.site import SiteSpider

    # The engine re-polls an empty scheduler on this heartbeat (5 s by default): per-host caps
    # and cross-shard handoffs make "nothing right now" common, so poll faster.
    ExecutionEngine._SLOT_HEARTBEAT_INTERVAL = 0.25
    settings = Settings()
    settings.setmodule(defaults, priority="project")
    settings.update(config.scrapy_settings(), priority="cmdline")
    if shard is not None:
        settings.set("CRAWL_SHARDS", config.processes, priority="cmdline")
        settings.set("CRAWL_SHARD", shard, priority="cmdline")
        per_shard = -(-config.max_pages // config.processes)
        settings.set("CRAWL_MAX_PAGES", per_shard, priority="cmdline")
        # The configured concurrency is the total over all shard processes.
        share = max(1, -(-config.concurrency // config.processes))
        settings.set("CONCURRENT_REQUESTS", share, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SiteSpider)
    process.crawl(crawler)
    process.start()
    return crawler.stats.get_stats() if crawler.stats else {}


def crawl_dbs(config: CrawlConfig) -> list[Path]:
    from crawlers.shards import shard_dir

    root = Path(config.crawl_dir)
    if config.processes > 1:
        return [shard_dir(root, k) / "crawl.sqlite" for k in range(config.processes)]
    return [root / "crawl.sqlite"]


def report(config: CrawlConfig, seconds: float, stats: dict[str, Any]) -> dict[str, Any]:
    pages = nbytes = errors = queued = 0
    by_kind: dict[str, int] = {}
    for db in crawl_dbs(config):
        with sqlite3.connect(db) as con:
            n, b = con.execute("SELECT count(*), coalesce(sum(bytes), 0) FROM pages").fetchone()
            pages, nbytes = pages + n, nbytes + b
            errors += con.execute("SELECT count(*) FROM errors").fetchone()[0]
            for kind, count in con.execute("SELECT kind, count(*) FROM errors GROUP BY 1"):
                by_kind[kind] = by_kind.get(kind, 0) + count
            queued += con.execute("SELECT count(*) FROM frontier WHERE state='queued'").fetchone()[
                0
            ]
    out = {
        "crawl_id": config.crawl_id,
        "pages": pages,
        "errors": errors,
        "bytes": nbytes,
        "errors_by_kind": by_kind,
        "frontier_queued": queued,
        "seconds": round(seconds, 2),
        "pages_per_s": round(pages / seconds, 2) if seconds else 0.0,
        "robots_fetches": int(stats.get("robotstxt/fetches", 0)),
        "finish_reason": str(stats.get("finish_reason", "")),
    }
    if config.lake_dir:
        from crawlers.export import export_crawl

        out["lake_rows"] = export_crawl(crawl_dbs(config), Path(config.lake_dir), config.crawl_id)
    return out


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    config = CrawlConfig.load(Path(args[0]))
    if len(args) == 3 and args[1] == "--shard":
        run_engine(config, shard=int(args[2]))
        return 0
    import os

    from dagster_pipes import DAGSTER_PIPES_CONTEXT_ENV_VAR, open_dagster_pipes

    if DAGSTER_PIPES_CONTEXT_ENV_VAR in os.environ:
        with open_dagster_pipes() as pipes:
            pipes.log.info(f"crawl {config.crawl_id}: {len(config.seeds)} seeds")
            result = crawl(config)
            pipes.report_asset_materialization(
                metadata={
                    "pages": {"raw_value": result["pages"], "type": "int"},
                    "errors": {"raw_value": result["errors"], "type": "int"},
                    "bytes": {"raw_value": result["bytes"], "type": "int"},
                    "pages_per_s": {"raw_value": result["pages_per_s"], "type": "float"},
                    "errors_by_kind": {"raw_value": result["errors_by_kind"], "type": "json"},
                    "crawl_id": {"raw_value": config.crawl_id, "type": "text"},
                    "dagster/row_count": {"raw_value": result["pages"], "type": "int"},
                }
            )
    else:
        result = crawl(config)
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
