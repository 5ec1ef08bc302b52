"""Shortener traffic: users create links, visitors click them with Zipf popularity.

Clicks are split over anonymous visitors and API clients so neither exceeds the platform's
per-caller rate limit. A few abusive requests check that the abuse rules answer 4xx.
"""

from __future__ import annotations

import bisect
import itertools

from pipelines.workload import WorkloadContext

REFERRERS = ["https://news.example/", "https://social.example/feed", "", "https://mail.example/"]
AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
    "Mozilla/5.0 (iPhone) Safari/604.1",
    "curl/8.5.0",
    "Mozilla/5.0 (Windows NT 10.0) Chrome/126.0",
]
BAD_TARGETS = [
    "javascript:alert(1)",
    "http://127.0.0.1/admin",
    "http://10.0.0.7/",
    "file:///etc/passwd",
]


def simulated_web(svc) -> None:
    """Let the shortener vet links to the simulated web, which is fictional: its sites
    (``*.example.com``) resolve to one public address (example.com's) without real DNS, so the
    safety check passes them as it would on the internet. Other hosts resolve for real."""
    real = svc.resolver
    if getattr(real, "simulated_web", False):
        return

    def resolver(host: str) -> list[str]:
        return ["93.184.215.14"] if host.rstrip(".").endswith(".example.com") else real(host)

    resolver.simulated_web = True  # type: ignore[attr-defined]
    svc.resolver = resolver


class ShortenerWorkload:
    name = "shortener"
    order = 10

    def run(self, ctx: WorkloadContext) -> None:
        rng = ctx.rng
        svc = ctx.client.app.state.services["shortener"]
        simulated_web(svc)
        creators = [{"X-API-Key": ctx.api_key(f"linker{i}")} for i in range(6)]
        n_links = max(30, int(150 * ctx.scale))
        codes: list[str] = []
        for i in range(n_links):
            headers = creators[i % len(creators)]
            body = {"url": f"https://site{i % 37}.example.com/article/{i}?ref=bp"}
            if i % 25 == 0:
                body["alias"] = f"promo-{i}"
            if i % 10 == 3:
                body["ttl_seconds"] = 7 * 86400
            r = ctx.client.post("/shortener/links", json=body, headers=headers)
            if r.status_code == 201:
                codes.append(r.json()["code"])
        rejected = sum(
            ctx.client.post("/shortener/links", json={"url": u}, headers=creators[0]).status_code
            in (422, 409)
            for u in BAD_TARGETS
        )
        # Zipf(1.1) popularity over a shuffled link order.
        order = codes[:]
        rng.shuffle(order)
        cdf = list(itertools.accumulate(1.0 / (r + 1) ** 1.1 for r in range(len(order))))
        visitors = [None] + [{"X-API-Key": ctx.api_key(f"visitor{i}")} for i in range(5)]
        n_clicks = max(300, int(2500 * ctx.scale))
        per_caller = n_clicks // len(visitors)
        statuses: dict[int, int] = {}
        victim = next(iter(svc.cache.nodes.values()))
        for n, caller in enumerate(visitors):
            # One in-process cache node is down for the second visitor's clicks: replicas
            # answer instead (fail-over shows in the summary).
            if hasattr(victim, "down"):
                victim.down = n == 1
            for _ in range(per_caller):
                code = order[bisect.bisect(cdf, rng.random() * cdf[-1])]
                headers = {"Referer": rng.choice(REFERRERS), "User-Agent": rng.choice(AGENTS)}
                if caller:
                    headers.update(caller)
                r = ctx.client.get(f"/s/{code}", headers=headers, follow_redirects=False)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        # Delete two links: their codes now answer 404.
        deleted = 0
        for code in codes[1:3]:
            for headers in creators:
                r = ctx.client.delete(f"/shortener/links/{code}", headers=headers)
                if r.status_code == 204:
                    deleted += 1
                    break
        gone = ctx.client.get(f"/s/{codes[1]}", follow_redirects=False).status_code
        svc.clicks.flush()
        svc.cache.metrics.report(svc.cache)  # this run's hit ratio reaches the lake now
        stats = svc.cache.stats()
        ctx.facts[self.name] = {
            "links": len(codes),
            "rejected_bad_targets": rejected,
            "clicks": statuses,
            "deleted": deleted,
            "deleted_status": gone,
            "cache_hit_ratio": stats.get("hit_ratio"),
            "near_hits": stats.get("near_hits"),
            "failovers": stats.get("failovers"),
        }
        ctx.log(
            f"    {len(codes)} links, {sum(statuses.values())} clicks {statuses}, "
            f"cache hit ratio {stats.get('hit_ratio')}"
        )

    def summarize(self, ctx: WorkloadContext) -> list[str]:
        from services.shortener.analytics import CLICK_STATS_TABLE
        from warehouse.lake import Lake

        facts = ctx.facts.get(self.name, {})
        lines = [
            f"links created: {facts.get('links')}, bad targets refused: "
            f"{facts.get('rejected_bad_targets')}/{len(BAD_TARGETS)}, deleted: "
            f"{facts.get('deleted')} (then answer {facts.get('deleted_status')})",
            f"redirects: {facts.get('clicks')}; cache hit ratio "
            f"{facts.get('cache_hit_ratio')} (near-cache hits {facts.get('near_hits')}, fail-overs "
            f"while a node was down {facts.get('failovers')})",
        ]
        lake = Lake(ctx.settings.lake_dir)
        if CLICK_STATS_TABLE in lake.tables():
            top = lake.query(
                f"SELECT code, sum(clicks) AS clicks FROM {CLICK_STATS_TABLE} "
                "GROUP BY code ORDER BY clicks DESC, code LIMIT 5"
            )
            lines.append(
                "top links: " + ", ".join(f"{r['code']} ({r['clicks']})" for r in top.to_dicts())
            )
        if "cache_miss_ratio_curve" in lake.tables():
            curve = lake.query(
                "SELECT size, round(hit_ratio, 3) AS h FROM cache_miss_ratio_curve "
                "WHERE policy = 'wtinylfu' ORDER BY size"
            )
            lines.append(
                "W-TinyLFU hit ratio by cache size on the redirect log: "
                + ", ".join(f"{r['size']}={r['h']}" for r in curve.to_dicts())
            )
        return lines


WORKLOAD = ShortenerWorkload()
