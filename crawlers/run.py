"""Run one crawl in this process (a fresh one: the Twisted reactor cannot restart).

``python -m crawlers.run CONFIG.json``. The Dagster asset launches it through Dagster Pipes
and receives pages, errors and bytes as materialisation metadata; without Pipes it prints
the same report as JSON. The crawl's state lives in ``<crawl_dir>/crawl.sqlite``: running
the same config again resumes it.
"""

from __future__ import annotations

import json
import sqlite3
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
    """Run the spider to completion (or budget) and return a report."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from crawlers import settings as defaults
    from crawlers.spiders.site import SiteSpider

    settings = Settings()
    settings.setmodule(defaults, priority="project")
    settings.update(config.scrapy_settings(), priority="cmdline")
    started = time.time()
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SiteSpider)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return report(config, time.time() - started, stats)


def report(config: CrawlConfig, seconds: float, stats: dict[str, Any]) -> dict[str, Any]:
    db = Path(config.crawl_dir) / "crawl.sqlite"
    with sqlite3.connect(db) as con:
        pages, nbytes = con.execute(
            "SELECT count(*), coalesce(sum(bytes), 0) FROM pages"
        ).fetchone()
        errors = con.execute("SELECT count(*) FROM errors").fetchone()[0]
        by_kind = dict(con.execute("SELECT kind, count(*) FROM errors GROUP BY 1").fetchall())
        queued = con.execute("SELECT count(*) FROM frontier WHERE state='queued'").fetchone()[0]
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

        out["lake_rows"] = export_crawl(db, Path(config.lake_dir), config.crawl_id)
    return out


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    config = CrawlConfig.load(Path(args[0]))
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
