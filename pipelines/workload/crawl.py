"""Crawler workload: serve the generated test web on loopback, request a crawl of it.

The request goes through the crawl service; the crawl itself runs when the main job
materialises ``crawl_pages`` for this crawl id (a Scrapy subprocess through Dagster Pipes).
The summary then reads the lake and searches the new index through the API.
"""

from __future__ import annotations

from crawlers.testsite import Site
from pipelines.workload import WorkloadContext


class CrawlWorkload:
    name = "crawl"
    order = 20

    def __init__(self) -> None:
        self.site: Site | None = None

    def run(self, ctx: WorkloadContext) -> None:
        from assets.crawl import crawl_partitions
        from pipelines.instance import get_instance

        self.site = Site().start()
        svc = ctx.client.app.state.services["crawl"]
        crawl_id = svc.request(
            self.site.seeds(),
            svc.new_id("testweb"),
            max_pages=200,
            max_depth=4,
            download_delay=0.0,
            timeout=2.0,
            allowed_networks=["127.0.0.0/8"],  # the test web is loopback: allowed explicitly
        )
        # What the crawl_runs sensor does when the daemon runs; the main job has none.
        get_instance(ctx.settings).add_dynamic_partitions(crawl_partitions.name, [crawl_id])
        ctx.facts[self.name] = {"crawl_id": crawl_id, "port": self.site.port}
        ctx.log(f"  test web on 127.0.0.2-8:{self.site.port}; crawl {crawl_id} requested")

    def summarize(self, ctx: WorkloadContext) -> list[str]:
        try:
            facts = ctx.facts.get(self.name, {})
            svc = ctx.client.app.state.services["crawl"]
            cid = facts.get("crawl_id", "")
            pages = svc.crawled_pages(cid)
            if not pages.height:
                return [f"crawl {cid}: no pages in the lake"]
            lake = svc.lake()
            errors = (
                lake.query(
                    "SELECT kind, count(*) AS n FROM crawl_errors WHERE crawl_id = ? "
                    "GROUP BY 1 ORDER BY 2 DESC",
                    [cid],
                ).rows()
                if "crawl_errors" in lake.tables()
                else []
            )
            lines = [
                f"crawl {cid}: {pages.height} pages; errors: "
                + (", ".join(f"{k}={n}" for k, n in errors) or "none")
            ]
            ranks = svc.published("crawl_pagerank")
            if ranks is not None and ranks.height:
                top = ranks.sort("pagerank", descending=True).head(3)
                lines.append(
                    "top PageRank: "
                    + "; ".join(f"{u} ({r:.3f})" for u, r in top.select("url", "pagerank").rows())
                )
            resp = ctx.client.get("/search", params={"q": "sourdough starter", "limit": 1})
            if resp.status_code == 200 and resp.json()["hits"]:
                hit = resp.json()["hits"][0]
                lines.append(
                    f"search 'sourdough starter' -> {hit['url']} ({hit['title']}): "
                    f"{hit['snippet'][:100]}"
                )
            else:
                lines.append(f"search 'sourdough starter' -> HTTP {resp.status_code}")
            return lines
        finally:
            if self.site is not None:
                self.site.stop()
                self.site = None


WORKLOAD = CrawlWorkload()
