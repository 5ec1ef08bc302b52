"""CDN workload: an origin over the blob store, a shield and two edges in two regions, all as
processes on loopback. Clients in several regions ask the control plane for their nearest
edge and fetch playlists, manifests and segments (any video renditions present, plus a small
demo tree) with skewed popularity; then a prefix is purged, preloaded on one edge and
refetched, an ESI page is assembled at the edge, and a rate-limited edge refuses a burst.
The edges' access logs flow into the lake, where the ``cdn_hit_ratio`` asset reads them.
Last, clients in every region resolve the CDN's name through its DNS router (EDNS Client
Subnet), which must agree with the HTTP routing, and one edge is stopped to time the DNS
failover."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from pipelines.workload import WorkloadContext

MEDIA_SUFFIXES = (".m3u8", ".mpd", ".m4s", ".mp4", ".vtt", ".jpg", ".png", ".webp")
CLIENT_REGIONS = ["eu-west", "eu-central", "us-east", "us-west", "sa-east", "af-south"]
EDGE_REGIONS = ("eu-west", "us-east")


def _paths(blobs: Path, limit: int = 60) -> list[str]:
    """URL paths to request: video renditions first (if any), then the demo tree."""
    videos = sorted(p for p in (blobs / "videos").rglob("*") if p.suffix in MEDIA_SUFFIXES)
    demo = sorted(p for p in (blobs / "cdn-demo").rglob("*") if p.is_file())
    return ["/" + p.relative_to(blobs).as_posix() for p in (videos[: limit // 2] + demo)][:limit]


class CdnWorkload:
    name = "cdn"
    order = 35

    def run(self, ctx: WorkloadContext) -> None:
        from services.cdn.demo import write_demo_tree, write_esi_demo
        from services.cdn.process import run_tier

        blobs = ctx.settings.blobs_dir
        if not (blobs / "cdn-demo").exists():
            write_demo_tree(blobs, segments=4)
        esi_page = write_esi_demo(blobs)
        paths = _paths(blobs)
        weights = [1 / (i + 1) ** 0.8 for i in range(len(paths))]  # Zipf-like popularity
        n_requests = max(60, int(300 * ctx.scale))
        facts: dict = {"paths": len(paths), "requests": 0, "errors": 0, "esi_page": esi_page}
        with run_tier(blobs, regions=EDGE_REGIONS, settings=ctx.settings) as tier:
            self._drive(ctx, tier, paths, weights, n_requests, facts)
        ctx.facts["cdn"] = facts
        ctx.log(
            f"cdn: {facts['requests']} requests, {facts['origin_fetches']} origin fetches, "
            f"{facts['purged']} objects purged"
        )

    def _drive(self, ctx, tier, paths, weights, n_requests: int, facts: dict) -> None:
        admin = ctx.admin_headers
        origin, shield, edges = tier.origin, tier.shield, tier.edges
        try:
            for proc in (shield, *edges):
                reg = {
                    "name": proc.name,
                    "url": proc.url,
                    "region": proc.region,
                    "role": proc.role,
                    "token": proc.token,  # the edge's own purge token
                }
                ctx.client.post("/cdn/edges", json=reg, headers=admin).raise_for_status()
            ctx.log(f"cdn: origin, shield and {len(edges)} edges up; {len(paths)} paths")
            with httpx.Client(timeout=20, trust_env=False) as http:
                self._traffic(ctx, http, paths, weights, n_requests, facts)
                purged = ctx.client.post(
                    "/cdn/purge", json={"prefix": "/cdn-demo/1280x720/"}, headers=admin
                ).json()
                facts["purged"] = sum(r["purged"] for r in purged["results"])
                self._preload(ctx, http, tier, paths, facts)
                self._traffic(ctx, http, paths, weights, n_requests // 4, facts)
                facts["live"] = {
                    p.name: http.get(p.url + "/_cdn/stats").json() for p in (shield, *edges)
                }
                counters = http.get(
                    origin.url + "/_origin/stats", headers={"X-CDN-Token": origin.token or ""}
                )
                facts["origin_fetches"] = counters.json()["requests"]
                self._esi(ctx, http, tier, facts)
            self._rate_limit(ctx, shield, facts)
            self._dns(ctx, tier, facts)
        finally:
            for proc in (shield, *edges):
                ctx.client.delete(f"/cdn/edges/{proc.name}", headers=admin)

    @staticmethod
    def _preload(ctx, http: httpx.Client, tier, paths: list[str], facts: dict) -> None:
        """Warm the just-purged 720p rendition on the eu-west edge through the control plane,
        then check that its first client request is a hit."""
        warm = [p for p in paths if p.startswith("/cdn-demo/1280x720/")][:5] or paths[:5]
        edge = tier.edge("eu-west")
        done = ctx.client.post(
            "/cdn/preload", json={"paths": warm, "edges": [edge.name]}, headers=ctx.admin_headers
        ).json()
        reports = [p for r in done["results"] for p in r["paths"]]
        first = http.get(edge.url + warm[0]).headers.get("x-cache", "")
        facts["preload"] = {
            "edge": edge.name,
            "paths": len(warm),
            "stored": sum(p["result"] == "stored" for p in reports),
            "first": first.split(" ", 1)[0],
        }

    @staticmethod
    def _esi(ctx, http: httpx.Client, tier, facts: dict) -> None:
        """Fetch the ESI page twice from one edge: assembled from its fragments each time,
        the template and the fragments served from the edge's cache the second time."""
        from services.cdn.demo import ESI_FILES

        edge = tier.edge("eu-west")
        page = facts["esi_page"]
        first, second = http.get(edge.url + page), http.get(edge.url + page)
        fragments = [k for k in ESI_FILES if "/fragments/" in k]
        included = sum(ESI_FILES[k] in second.content for k in fragments)
        facts["esi"] = {
            "status": second.status_code,
            "included": included,
            "fragments": len(fragments),
            "tags_left": second.content.count(b"<esi:"),
            "second": second.headers.get("x-cache", "").split(" ", 1)[0],
            "same": first.content == second.content,
        }

    @staticmethod
    def _rate_limit(ctx, shield, facts: dict) -> None:
        """An edge limited to 5 requests/s (burst 10) per client, hit by one client with 40
        requests at once: the first ten pass, the rest get 429 with Retry-After."""
        from services.cdn.process import start_edge

        with (
            start_edge(
                shield.url,
                name="edge-limited",
                settings=ctx.settings,
                rate_limit_rps=5,
                rate_limit_burst=10,
                access_log=False,
            ) as limited,
            httpx.Client(timeout=10, trust_env=False) as http,
        ):
            codes = [http.get(limited.url + "/cdn-demo/master.m3u8").status_code for _ in range(40)]
            refused = [c for c in codes if c == 429]
            facts["rate_limit"] = {"sent": len(codes), "ok": codes.count(200), "429": len(refused)}

    @staticmethod
    def _dns(ctx, tier, facts: dict) -> None:
        """Resolve ``_http._tcp.<zone>`` SRV from each client region's subnet (ECS), then stop
        the us-east edge and time until its clients are sent elsewhere."""
        import dns.edns
        import dns.message
        import dns.query

        from services.cdn.dns import serving

        svc = ctx.client.app.state.services["cdn"]
        subnet: dict[str, str] = {}
        for net, region in svc.conf.dns_subnets.items():
            subnet.setdefault(region, net)
        by_port = {int(p.url.rsplit(":", 1)[1]): p.name for p in tier.edges}

        def ask(server, region: str) -> str | None:
            query = dns.message.make_query("_http._tcp." + svc.conf.dns_zone, "SRV")
            address, prefix = subnet[region].split("/")
            query.use_edns(0, options=[dns.edns.ECSOption(address, int(prefix))])
            reply = dns.query.udp(query, server.host, port=server.port, timeout=5)
            return by_port.get(reply.answer[0][0].port) if reply.answer else None

        with serving(svc.dns_router()) as server:
            answers = {r: ask(server, r) for r in CLIENT_REGIONS if r in subnet}
            routes = facts.get("routes", {})
            agree = sum(answers[r] == routes[r] for r in answers if r in routes)
            victim = tier.edge("us-east")
            victim.stop()
            died, moved_s = time.monotonic(), None
            while time.monotonic() - died < 30:
                if ask(server, "us-east") not in (victim.name, None):
                    moved_s = round(time.monotonic() - died, 2)
                    break
                time.sleep(0.2)
        facts["dns"] = {"answers": answers, "agree": agree, "failover_s": moved_s}

    @staticmethod
    def _traffic(ctx, http: httpx.Client, paths, weights, n: int, facts: dict) -> None:
        """Clients keep the edge they were routed to (like a DNS answer with a TTL)."""
        routes: dict[str, str] = {}
        for _ in range(n):
            region = ctx.rng.choice(CLIENT_REGIONS)
            if region not in routes:
                route = ctx.client.get("/cdn/route", params={"region": region})
                if route.status_code != 200:
                    facts["errors"] += 1
                    continue
                routes[region] = route.json()["url"]
                facts.setdefault("routes", {})[region] = route.json()["edge"]
            headers = {"accept-encoding": "gzip, br"} if ctx.rng.random() < 0.7 else {}
            resp = http.get(routes[region] + ctx.rng.choices(paths, weights)[0], headers=headers)
            facts["requests"] += 1
            facts["errors"] += resp.status_code >= 400

    def summarize(self, ctx: WorkloadContext) -> list[str]:
        from services.cdn.hitratio import hit_ratio_by_edge, overall_hit_ratio
        from warehouse.lake import Lake

        facts = ctx.facts.get("cdn", {})
        table = hit_ratio_by_edge(Lake(ctx.settings.lake_dir))
        lines = [
            f"{r['edge']} ({r['role']}, {r['region']}): {r['requests']} requests, hit ratio "
            f"{r['hit_ratio']:.2f}, byte hit ratio {r['byte_hit_ratio']:.2f}, p95 {r['p95_ms']} ms"
            for r in table.to_dicts()
        ]
        if not lines:
            lines = [
                f"{name}: {s['HIT']} hits, {s['MISS']} misses (live counters)"
                for name, s in facts.get("live", {}).items()
            ]
        lines.append(
            f"edge hit ratio {overall_hit_ratio(table)}; {facts.get('requests', 0)} requests, "
            f"{facts.get('origin_fetches', 0)} origin fetches, {facts.get('purged', 0)} purged, "
            f"{facts.get('errors', 0)} errors"
        )
        if facts.get("routes"):
            lines.append("routing: " + ", ".join(f"{c} -> {e}" for c, e in facts["routes"].items()))
        if facts.get("preload"):
            p = facts["preload"]
            lines.append(
                f"preload: {p['stored']}/{p['paths']} paths stored on {p['edge']}; its first "
                f"client request was a {p['first']}"
            )
        if facts.get("esi"):
            e = facts["esi"]
            lines.append(
                f"ESI: {facts['esi_page']} answered {e['status']}, {e['included']}/"
                f"{e['fragments']} fragments included, {e['tags_left']} ESI tags left, "
                f"template {e['second']} on the second request"
            )
        if facts.get("rate_limit"):
            r = facts["rate_limit"]
            lines.append(
                f"rate limit (5/s, burst 10): {r['sent']} back-to-back requests from one client, "
                f"{r['ok']} served, {r['429']} refused with 429"
            )
        if facts.get("dns"):
            dns_facts = facts["dns"]
            moved = dns_facts["failover_s"]
            lines.append(
                f"DNS routing: {dns_facts['agree']}/{len(dns_facts['answers'])} regions agree with "
                "HTTP routing; after edge-us-east stopped, its clients moved "
                + (f"in {moved} s" if moved is not None else "NOT within 30 s")
            )
        return lines


WORKLOAD = CdnWorkload()
