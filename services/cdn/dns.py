"""Routing by DNS: an authoritative server for the CDN's name that answers with the nearest
healthy edge, over UDP and TCP (RFC 1035, RFC 7766).

- ``<zone>`` A/AAAA: the address of the nearest healthy edge (an edge registered by host name
  gets a CNAME to ``<edge>.<zone>`` instead).
- ``_http._tcp.<zone>`` SRV: that edge's name and port, for clients that need the port too.
- ``<edge>.<zone>`` A/AAAA: that edge's address. SOA and NS at the apex.
- A name under the zone that does not exist is NXDOMAIN; a name outside it is REFUSED (we are
  authoritative for one zone, not a resolver); a query that does not parse is dropped.

Where the client is: the EDNS Client Subnet option (RFC 7871) when the query carries one, else
the query's source address. A subnet table maps it to a region, longest prefix first; the
answer's ECS scope is the prefix that decided it, so resolvers cache it for that subnet only.
Answers live ``ttl`` seconds: a dead edge's clients move on within the TTL plus one probe
interval. dnspython parses and builds the wire format.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import struct
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from services.cdn.routing import REGIONS, EdgeInfo, nearest_healthy

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: The region of clients in private address plans, one /16 per region, and of this machine.
DEFAULT_SUBNETS: dict[str, str] = {
    **{f"10.{i}.0.0/16": region for i, region in enumerate(REGIONS, start=1)},
    "127.0.0.0/8": "eu-west",
    "::1/128": "eu-west",
}


class SubnetMap:
    """Client address -> region, the longest matching prefix first."""

    def __init__(self, subnets: dict[str, str], default_region: str) -> None:
        for region in (*subnets.values(), default_region):
            if region not in REGIONS:
                raise ValueError(f"unknown region {region!r}: one of {sorted(REGIONS)}")
        self.default_region = default_region
        self._nets = sorted(
            ((ipaddress.ip_network(net, strict=False), region) for net, region in subnets.items()),
            key=lambda item: -item[0].prefixlen,
        )

    def region(self, address: Address) -> tuple[str, int]:
        """The region of ``address`` and the prefix length that decided it (0: the default)."""
        for net, region in self._nets:
            if address.version == net.version and address in net:
                return region, net.prefixlen
        return self.default_region, 0


@dataclass
class Answer:
    """What one query got, for the events and the tests."""

    rcode: int
    edge: str | None = None
    region: str | None = None
    records: list[str] = field(default_factory=list)


def _host(edge: EdgeInfo) -> tuple[Address | None, str, int]:
    parts = urlsplit(edge.url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        return ipaddress.ip_address(host), host, port
    except ValueError:
        return None, host, port


def _label(name: str) -> str:
    """An edge's name as one DNS label (letters, digits and hyphens)."""
    return "".join(c if c.isalnum() or c == "-" else "-" for c in name.lower())[:63]


class DnsRouter:
    """Answers one query's wire bytes; no sockets, so it is tested directly.

    ``edges`` returns the registry with fresh health (``CdnService.fresh_edges``).
    """

    def __init__(
        self,
        zone: str,
        edges: Callable[[], Awaitable[list[EdgeInfo]]],
        subnets: SubnetMap,
        *,
        ttl: int = 20,
        on_answer: Callable[[Answer, str], None] | None = None,
    ) -> None:
        self.zone = dns.name.from_text(zone)
        self.edges = edges
        self.subnets = subnets
        self.ttl = ttl
        self.on_answer = on_answer
        self._srv = dns.name.from_text("_http._tcp", self.zone)

    async def handle(self, wire: bytes, client: str) -> bytes | None:
        """The response to ``wire`` from ``client`` (an IP), or None to drop it."""
        try:
            query = dns.message.from_wire(wire)
        except (dns.exception.DNSException, ValueError, struct.error):
            return None  # not a DNS query we can parse: no answer, no harm
        if query.flags & dns.flags.QR:
            return None  # a response, not a query
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        response.flags &= ~dns.flags.RA
        answer = await self._answer(query, response, client)
        response.set_rcode(answer.rcode)
        if self.on_answer is not None:
            self.on_answer(answer, str(query.question[0].name) if query.question else "")
        return response.to_wire(max_size=query.payload if query.edns >= 0 else 512)

    async def _answer(
        self, query: dns.message.Message, response: dns.message.Message, client: str
    ) -> Answer:
        if query.opcode() != dns.opcode.QUERY:
            return Answer(dns.rcode.NOTIMP)
        if len(query.question) != 1:
            return Answer(dns.rcode.FORMERR)
        question = query.question[0]
        qname, qtype = question.name, question.rdtype
        if question.rdclass != dns.rdataclass.IN or not qname.is_subdomain(self.zone):
            return Answer(dns.rcode.REFUSED)
        edges = await self.edges()
        if qname == self.zone:
            if qtype in (dns.rdatatype.SOA, dns.rdatatype.NS):
                rdata = self._soa() if qtype == dns.rdatatype.SOA else self._ns()
                self._add(response.answer, qname, qtype, [rdata])
                return Answer(dns.rcode.NOERROR, records=[rdata])
            if qtype not in (dns.rdatatype.A, dns.rdatatype.AAAA, dns.rdatatype.ANY):
                return self._nodata(response)
            return self._nearest(query, response, edges, client, qtype)
        if qname == self._srv:
            if qtype not in (dns.rdatatype.SRV, dns.rdatatype.ANY):
                return self._nodata(response)
            return self._nearest(query, response, edges, client, dns.rdatatype.SRV)
        by_label = {_label(e.name): e for e in edges}
        relative = qname.relativize(self.zone)
        edge = by_label.get(str(relative).lower()) if len(relative) == 1 else None
        if edge is None:
            self._add(response.authority, self.zone, dns.rdatatype.SOA, [self._soa()])
            return Answer(dns.rcode.NXDOMAIN)
        records = self._addresses(edge, qtype)
        if not records:
            return self._nodata(response)
        self._add(response.answer, qname, qtype, records)
        return Answer(dns.rcode.NOERROR, edge=edge.name, records=records)

    def _nearest(self, query, response, edges, client: str, qtype: int) -> Answer:
        where, scope = self._client_address(query, client)
        region, decided_by = self.subnets.region(where)
        if scope is not None:  # echo ECS with the prefix that decided the answer (RFC 7871)
            option = scope
            option.scopelen = min(decided_by, option.srclen) if option.srclen else 0
            response.use_edns(0, payload=1232, options=[option])
        found = nearest_healthy(edges, REGIONS[region])
        if found is None:
            return Answer(dns.rcode.SERVFAIL, region=region)
        edge = found[0]
        if qtype == dns.rdatatype.SRV:
            _, _, port = _host(edge)
            target = dns.name.from_text(_label(edge.name), self.zone)
            rdata = f"0 0 {port} {target}"
            self._add(response.answer, self._srv, dns.rdatatype.SRV, [rdata])
            return Answer(dns.rcode.NOERROR, edge=edge.name, region=region, records=[rdata])
        address, host, _ = _host(edge)
        if address is None:  # a host name: send the client to it
            self._add(response.answer, self.zone, dns.rdatatype.CNAME, [host.rstrip(".") + "."])
            return Answer(dns.rcode.NOERROR, edge=edge.name, region=region, records=[host])
        records = self._addresses(edge, qtype)
        if not records:
            nodata = self._nodata(response)
            nodata.edge, nodata.region = edge.name, region
            return nodata
        self._add(response.answer, self.zone, qtype, records)
        return Answer(dns.rcode.NOERROR, edge=edge.name, region=region, records=records)

    @staticmethod
    def _client_address(query, client: str) -> tuple[Address, dns.edns.ECSOption | None]:
        for option in query.options:
            if isinstance(option, dns.edns.ECSOption):
                if option.srclen:
                    return ipaddress.ip_address(option.address), option
                return ipaddress.ip_address(client), option
        return ipaddress.ip_address(client), None

    @staticmethod
    def _addresses(edge: EdgeInfo, qtype: int) -> list[str]:
        address, _, _ = _host(edge)
        if address is None:
            return []
        wanted = {dns.rdatatype.A: 4, dns.rdatatype.AAAA: 6}.get(qtype, address.version)
        return [str(address)] if address.version == wanted else []

    def _nodata(self, response) -> Answer:
        self._add(response.authority, self.zone, dns.rdatatype.SOA, [self._soa()])
        return Answer(dns.rcode.NOERROR)

    def _add(self, section: list, name: dns.name.Name, qtype: int, rdatas: list[str]) -> None:
        if qtype == dns.rdatatype.ANY and rdatas:
            qtype = dns.rdatatype.AAAA if ":" in rdatas[0] else dns.rdatatype.A
        section.append(dns.rrset.from_text_list(name, self.ttl, "IN", qtype, rdatas))

    def _soa(self) -> str:
        return f"ns.{self.zone} hostmaster.{self.zone} 1 {self.ttl} {self.ttl} 600 {self.ttl}"

    def _ns(self) -> str:
        return f"ns.{self.zone}"


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, router: DnsRouter) -> None:
        self.router = router
        self.transport: asyncio.DatagramTransport | None = None
        self.tasks: set[asyncio.Task] = set()

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        task = asyncio.get_running_loop().create_task(self._reply(data, addr))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _reply(self, data: bytes, addr) -> None:
        reply = await self.router.handle(data, addr[0])
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)


class DnsServer:
    """The router on a UDP and a TCP socket of one address (``port`` 0: a free one)."""

    def __init__(self, router: DnsRouter, host: str = "127.0.0.1", port: int = 0) -> None:
        self.router, self.host, self.port = router, host, port
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tcp = await asyncio.start_server(self._stream, self.host, self.port)
        self.port = self._tcp.sockets[0].getsockname()[1]
        self._udp, _ = await loop.create_datagram_endpoint(
            lambda: _Udp(self.router), local_addr=(self.host, self.port)
        )

    async def _stream(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """RFC 7766: two-byte length, then the message; several queries per connection."""
        client = writer.get_extra_info("peername")[0]
        try:
            while True:
                size = struct.unpack("!H", await asyncio.wait_for(reader.readexactly(2), 10))[0]
                reply = await self.router.handle(await reader.readexactly(size), client)
                if reply is None:
                    break
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
            await self._tcp.wait_closed()


async def _shutdown(server: DnsServer) -> None:
    """Stop the server, then whatever else runs on its loop (a probe task, say)."""
    await server.stop()
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


@contextlib.contextmanager
def serving(
    router: DnsRouter,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    on_loop: Callable[[], object] | None = None,
) -> Iterator[DnsServer]:
    """The server on an event loop of its own thread, for synchronous callers (the workload,
    the benchmark); stopped on exit. ``on_loop`` runs on that loop once it serves (say,
    ``CdnService.start_probing``, as ``blueprint cdn dns`` does)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="cdn-dns", daemon=True)
    thread.start()
    server = DnsServer(router, host, port)
    try:
        asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
        if on_loop is not None:
            loop.call_soon_threadsafe(on_loop)
        yield server
    finally:
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(_shutdown(server), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
