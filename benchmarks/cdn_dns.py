"""DNS routing figures: answers per second of the CDN's DNS router as a ratio to a server on
the same stack that answers one fixed record (same sockets, same parser, no routing), and the
seconds until clients of a stopped edge are sent elsewhere, with the probe loop that
``blueprint cdn dns`` runs. Everything on loopback, bounded in time.

Run: ``python -m benchmarks.cdn_dns``; the last line is
``RESULT dns_answers_ratio=<x> dns_answers_per_s=<x> dns_failover_s=<x>``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import dns.edns
import dns.message
import dns.query
import dns.rrset

from services.cdn.dns import DnsRouter, SubnetMap, serving
from services.cdn.routing import REGIONS, EdgeInfo
from services.cdn.settings import CdnSettings

ZONE = "cdn.bench.test."
SECONDS = 3.0


class FixedAnswer:
    """The baseline: parse, answer one fixed A record, serialise; nothing else."""

    async def handle(self, wire: bytes, client: str) -> bytes | None:
        query = dns.message.from_wire(wire)
        response = dns.message.make_response(query)
        response.answer.append(
            dns.rrset.from_text(query.question[0].name, 20, "IN", "A", "127.0.0.1")
        )
        return response.to_wire()


def _rate(router, seconds: float = SECONDS) -> float:
    """Sequential UDP queries answered per second, each from a client subnet of its own."""
    subnets = [f"10.{i}.7.0" for i in range(1, len(REGIONS) + 1)]
    with serving(router) as server:
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            query = dns.message.make_query(ZONE, "A")
            query.use_edns(0, options=[dns.edns.ECSOption(subnets[done % len(subnets)], 24)])
            dns.query.udp(query, server.host, port=server.port, timeout=5)
            done += 1
        return done / (time.perf_counter() - start)


def answers_ratio() -> tuple[float, float]:
    edges = [
        EdgeInfo(f"edge-{r}", f"http://127.0.0.{i + 2}:80", r, lat, lon)
        for i, (r, (lat, lon)) in enumerate(REGIONS.items())
    ]

    async def fresh() -> list[EdgeInfo]:
        return edges

    conf = CdnSettings()
    router = DnsRouter(ZONE, fresh, SubnetMap(conf.dns_subnets, conf.dns_default_region))
    ours, base = _rate(router), _rate(FixedAnswer())
    return ours / base, ours


def failover_seconds() -> float | None:
    """Two edges (us-east, eu-west) answering /healthz; us-east stops; time until a us-east
    client's answer changes."""
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from services.cdn.system import build
    from tests.services.cdn.helpers import serve_in_thread
    from warehouse.emitter import Emitter, SpoolTransport
    from warehouse.settings import Settings

    app = Starlette(routes=[Route("/healthz", lambda _: PlainTextResponse("ok"))])
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        emitter = Emitter(SpoolTransport(settings, "bench-dns"))
        svc = build(settings, emitter, conf=CdnSettings(dns_zone=ZONE))
        servers = [serve_in_thread(app, lifespan="off") for _ in range(2)]
        for (_, _, port), region in zip(servers, ("us-east", "eu-west"), strict=True):
            svc.register(name=f"edge-{region}", url=f"http://127.0.0.1:{port}", region=region)
        query = dns.message.make_query("_http._tcp." + ZONE, "SRV")
        query.use_edns(0, options=[dns.edns.ECSOption("10.1.0.0", 16)])  # us-east
        try:
            with serving(svc.dns_router(), on_loop=svc.start_probing) as server:
                first = dns.query.udp(query, server.host, port=server.port, timeout=5)
                assert first.answer[0][0].port == servers[0][2]
                servers[0][0].should_exit = True
                servers[0][1].join(10)
                died = time.monotonic()
                while time.monotonic() - died < 60:
                    reply = dns.query.udp(query, server.host, port=server.port, timeout=5)
                    if reply.answer and reply.answer[0][0].port == servers[1][2]:
                        return round(time.monotonic() - died, 2)
                    time.sleep(0.05)
                return None
        finally:
            for server, thread, _ in servers:
                server.should_exit = True
                thread.join(10)
            svc.close()
            emitter.close()


def main() -> None:
    ratio, rate = answers_ratio()
    moved = failover_seconds()
    print(f"cdn dns: {rate:.0f} answers/s, {ratio:.2f} of a fixed-answer server on the same stack")
    print(f"cdn dns: a stopped edge's clients moved after {moved} s (probe every 5 s)")
    print(
        f"RESULT dns_answers_ratio={ratio:.3f} dns_answers_per_s={rate:.0f} dns_failover_s={moved}"
    )


if __name__ == "__main__":
    main()
