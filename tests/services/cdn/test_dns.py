"""Routing by DNS: the nearest healthy edge by client subnet or EDNS Client Subnet, SRV with
the port, NXDOMAIN and REFUSED where RFC 1035 says, malformed queries dropped, failover when an
edge dies, and real clients (dnspython over UDP and TCP, ``dig``) against the server."""

from __future__ import annotations

import asyncio
import ipaddress
import shutil
import subprocess

import dns.edns
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from services.cdn.dns import DnsRouter, SubnetMap, serving
from services.cdn.routing import EdgeInfo
from services.cdn.settings import CdnSettings
from services.cdn.system import build
from tests.services.cdn.helpers import serve_in_thread

ZONE = "cdn.example.test."
EDGES = [
    EdgeInfo("edge-eu", "http://127.0.0.2:8101", "eu-west", 53.35, -6.26),
    EdgeInfo("edge-us", "http://127.0.0.3:8102", "us-east", 38.9, -77.0),
    EdgeInfo("edge-v6", "http://[::1]:8103", "ap-southeast", 1.35, 103.8),
    EdgeInfo("shield-eu", "http://127.0.0.4:8104", "eu-central", 50.1, 8.7, role="shield"),
]
SUBNETS = SubnetMap(
    {"10.1.0.0/16": "us-east", "10.1.2.0/24": "eu-west", "10.3.0.0/16": "ap-southeast"},
    default_region="eu-west",
)


def _router(edges: list[EdgeInfo] = EDGES) -> DnsRouter:
    async def fresh() -> list[EdgeInfo]:
        return edges

    return DnsRouter(ZONE, fresh, SUBNETS, ttl=20)


def _ask(router: DnsRouter, name: str, rdtype: str = "A", client: str = "192.0.2.1", **kw):
    query = dns.message.make_query(name, rdtype, **kw)
    wire = asyncio.run(router.handle(query.to_wire(), client))
    return dns.message.from_wire(wire)


def _ecs(address: str, prefix: int) -> dict:
    return {"use_edns": 0, "options": [dns.edns.ECSOption(address, prefix)]}


def test_the_longest_matching_subnet_decides_the_region_and_so_the_edge():
    assert SUBNETS.region(ipaddress.ip_address("10.1.2.9")) == ("eu-west", 24)
    us = _ask(_router(), ZONE, client="10.1.7.7")
    eu = _ask(_router(), ZONE, client="10.1.2.7")
    assert [str(r) for r in us.answer[0]] == ["127.0.0.3"]
    assert [str(r) for r in eu.answer[0]] == ["127.0.0.2"]
    assert us.flags & dns.flags.AA and us.answer[0].ttl == 20
    nobody = _ask(_router(), ZONE, client="198.51.100.1")  # the default region
    assert [str(r) for r in nobody.answer[0]] == ["127.0.0.2"]


def test_edns_client_subnet_wins_over_the_source_and_is_echoed_with_its_scope():
    reply = _ask(_router(), ZONE, client="10.1.2.7", **_ecs("10.1.9.0", 24))
    assert [str(r) for r in reply.answer[0]] == ["127.0.0.3"]  # the subnet's us-east
    (option,) = [o for o in reply.options if isinstance(o, dns.edns.ECSOption)]
    assert (option.address, option.srclen, option.scopelen) == ("10.1.9.0", 24, 16)
    zero = _ask(_router(), ZONE, client="10.1.7.7", **_ecs("0.0.0.0", 0))
    (option,) = [o for o in zero.options if isinstance(o, dns.edns.ECSOption)]
    assert option.scopelen == 0  # RFC 7871: source prefix 0 means the source address decides
    assert [str(r) for r in zero.answer[0]] == ["127.0.0.3"]


def test_srv_gives_the_nearest_edges_name_and_port_and_the_name_resolves():
    reply = _ask(_router(), "_http._tcp." + ZONE, "SRV", client="10.1.7.7")
    (srv,) = list(reply.answer[0])
    assert (srv.port, str(srv.target)) == (8102, "edge-us." + ZONE)
    edge = _ask(_router(), "edge-us." + ZONE)
    assert [str(r) for r in edge.answer[0]] == ["127.0.0.3"]


def test_shields_are_never_answered_and_ipv6_edges_answer_aaaa_only():
    far_east = _ask(_router(), ZONE, "AAAA", client="10.3.0.1")
    assert [str(r) for r in far_east.answer[0]] == ["::1"]
    nodata = _ask(_router(), ZONE, "A", client="10.3.0.1")
    assert nodata.rcode() == dns.rcode.NOERROR and not nodata.answer
    assert nodata.authority[0].rdtype == dns.rdatatype.SOA
    answered = {
        str(r)
        for client in ("10.1.2.1", "10.1.7.1", "198.51.100.7")
        for r in _ask(_router(), ZONE, client=client).answer[0]
    }
    assert "127.0.0.4" not in answered


def test_unknown_names_are_nxdomain_and_other_zones_are_refused():
    missing = _ask(_router(), "nope." + ZONE)
    assert missing.rcode() == dns.rcode.NXDOMAIN and missing.flags & dns.flags.AA
    assert missing.authority[0].rdtype == dns.rdatatype.SOA
    assert _ask(_router(), "deep.edge-us." + ZONE).rcode() == dns.rcode.NXDOMAIN
    assert _ask(_router(), "example.com.").rcode() == dns.rcode.REFUSED
    assert _ask(_router(), ZONE, "MX").rcode() == dns.rcode.NOERROR  # the name exists


def test_malformed_queries_and_responses_are_dropped_without_harm():
    router = _router()
    for junk in (b"", b"\x00", b"\xff" * 11, b"\x12\x34" + b"\x00" * 40):
        assert asyncio.run(router.handle(junk, "10.1.2.3")) is None
    response = dns.message.make_response(dns.message.make_query(ZONE, "A"))
    assert asyncio.run(router.handle(response.to_wire(), "10.1.2.3")) is None
    assert _ask(router, ZONE).rcode() == dns.rcode.NOERROR  # still answering


def test_no_healthy_edge_is_servfail_and_a_dead_edge_is_skipped():
    dead = [EdgeInfo(**{**vars(e), "healthy": e.name != "edge-us"}) for e in EDGES]
    moved = _ask(_router(dead), ZONE, client="10.1.7.7")
    assert [str(r) for r in moved.answer[0]] == ["127.0.0.2"]
    none = [EdgeInfo(**{**vars(e), "healthy": False}) for e in EDGES]
    assert _ask(_router(none), ZONE).rcode() == dns.rcode.SERVFAIL


def _healthz_app() -> Starlette:
    return Starlette(routes=[Route("/healthz", lambda _: PlainTextResponse("ok"))])


def test_real_clients_follow_the_registry_and_fail_over_when_an_edge_dies(settings, emitter):
    svc = build(
        settings, emitter, conf=CdnSettings(probe_interval_s=0.05, dns_zone=ZONE, dns_ttl_s=5)
    )
    servers = [serve_in_thread(_healthz_app(), lifespan="off") for _ in range(2)]
    for (_, _, port), (name, region) in zip(
        servers, [("edge-eu", "eu-west"), ("edge-us", "us-east")], strict=True
    ):
        svc.register(name=name, url=f"http://127.0.0.1:{port}", region=region, role="edge")
    try:
        with serving(svc.dns_router()) as dns_server:
            port = dns_server.port
            srv = dns.message.make_query("_http._tcp." + ZONE, "SRV", use_edns=0)
            srv.use_edns(0, options=[dns.edns.ECSOption("10.1.0.0", 16)])  # a us-east subnet
            udp = dns.query.udp(srv, "127.0.0.1", port=port, timeout=5)
            assert udp.answer[0][0].port == servers[1][2]
            tcp = dns.query.tcp(
                dns.message.make_query(ZONE, "A"), "127.0.0.1", port=port, timeout=5
            )
            assert [str(r) for r in tcp.answer[0]] == ["127.0.0.1"]

            servers[1][0].should_exit = True  # the us-east edge dies
            servers[1][1].join(10)
            after = dns.query.udp(srv, "127.0.0.1", port=port, timeout=5)
            assert after.answer[0][0].port == servers[0][2]  # clients move to eu-west

            dig = shutil.which("dig")
            if dig is not None:
                out = subprocess.run(
                    [
                        dig,
                        "@127.0.0.1",
                        "-p",
                        str(port),
                        "+short",
                        "+subnet=10.1.0.0/16",
                        ZONE,
                        "A",
                    ],
                    capture_output=True,
                    text=True,
                    timeout=20,
                )
                assert out.stdout.split() == ["127.0.0.1"], out
                nx = subprocess.run(
                    [dig, "@127.0.0.1", "-p", str(port), "nope." + ZONE],
                    capture_output=True,
                    text=True,
                    timeout=20,
                )
                assert "status: NXDOMAIN" in nx.stdout
    finally:
        for server, thread, _ in servers:
            server.should_exit = True
            thread.join(10)
        svc.close()
