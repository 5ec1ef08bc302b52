"""A generated test web on loopback: hosts 127.0.0.2 ... 127.0.0.8 on one port (and .9 down).

Each address is a distinct host with its own robots.txt variant. The main host has articles,
near-duplicates, a PDF, plain text, an infinite calendar, redirect chains and loops, slow,
failing, truncated, malformed and wrongly typed pages, and a gzip bomb. Every request is
counted, so tests can assert what was (not) fetched. ``python -m crawlers.testsite`` serves it.
"""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from crawlers.content import make_pdf

HOSTS = {
    f"127.0.0.{i}": name
    for i, name in enumerate(
        ["main", "agents", "robots5xx", "robots404", "robotsredirect", "crawldelay", "bigrobots"],
        start=2,
    )
}
DOWN_HOST = "127.0.0.9"  # nothing listens: robots.txt unreachable
_BOMB = gzip.compress(b"\0" * (32 * 1024 * 1024), compresslevel=9)

TOPICS = [
    (
        "Gardening tomatoes",
        "Tomatoes need sun, regular watering and rich soil; prune suckers "
        "and stake the vines so the fruit ripens evenly through the summer.",
    ),
    (
        "Sourdough baking",
        "A sourdough starter ferments flour and water; feed it daily, then "
        "mix the dough, fold it, proof it overnight and bake it in a hot oven.",
    ),
    (
        "Bicycle maintenance",
        "Clean and lubricate the chain, check tyre pressure, adjust the "
        "brakes and true the wheels before a long ride on the bicycle.",
    ),
    (
        "Bird watching",
        "Binoculars, a field guide and patience: warblers, finches and herons "
        "are easiest to spot at dawn near wetlands and hedgerows.",
    ),
    (
        "Night sky astronomy",
        "A small telescope shows the rings of Saturn, the moons of "
        "Jupiter and lunar craters; dark skies away from city lights help most.",
    ),
    (
        "Wanderungen in den Alpen",
        "Die Wanderung beginnt am frühen Morgen im Tal und führt "
        "über Almwiesen und steinige Pfade hinauf zur Hütte, wo wir übernachten.",
    ),
]
DUP_TEXT = " ".join(
    f"Paragraph {i} of the shared essay about crawler politeness and robots rules, which "
    "explains why delays between requests matter for small servers."
    for i in range(30)
)


def _page(title: str, body: str, head: str = "") -> bytes:
    return (
        f"<!doctype html><html><head><title>{title}</title>{head}</head><body>{body}</body></html>"
    ).encode()


def _links(*hrefs: str) -> str:
    return " ".join(f'<a href="{h}">link to {h}</a>' for h in hrefs)


class Site:
    """Serves the test web in daemon threads; ``hits`` counts ``(host, path)`` requests."""

    def __init__(self, port: int = 0, hosts: list[str] | None = None) -> None:
        self.port = port
        self.hosts = hosts or list(HOSTS)
        self.hits: Counter[tuple[str, str]] = Counter()
        self.times: list[tuple[str, str, float]] = []
        self._lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []
        self.chain_delay = 0.0

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    def start(self) -> Site:
        handler = _make_handler(self)
        for host in self.hosts:
            server = ThreadingHTTPServer((host, self.port), handler)
            server.daemon_threads = True
            self.port = server.server_address[1]
            self._servers.append(server)
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> Site:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def record(self, host: str, path: str) -> None:
        with self._lock:
            self.hits[(host, path)] += 1
            self.times.append((host, path, time.monotonic()))

    def seeds(self) -> list[str]:
        return [self.url("127.0.0.2")]


def _make_handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # quiet
            return

        def send(
            self,
            status: int,
            body: bytes,
            ctype: str = "text/html; charset=utf-8",
            headers: dict[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def redirect(self, location: str, status: int = 302) -> None:
            self.send(status, b"", headers={"Location": location})

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            host = self.server.server_address[0]
            path = self.path
            site.record(host, path)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                getattr(self, f"host_{HOSTS[host]}")(host, path)

        def robots(self, text: str) -> None:
            self.send(200, text.encode(), "text/plain")

        def host_main(self, host: str, path: str) -> None:
            u = site.url
            if path == "/robots.txt":
                return self.robots("User-agent: *\nDisallow: /private/\nAllow: /private/open\n")
            if path == "/":
                others = [u(h) for h in HOSTS if h != host] + [u(DOWN_HOST)]
                body = _links(
                    *[f"/articles/{i}" for i in range(1, len(TOPICS) + 1)],
                    "/dup/a",
                    "/dup/b",
                    "/calendar/2026/1",
                    "/doc.pdf",
                    "/notes.txt",
                    "/redirect/1",
                    "/loop/a",
                    "/slow",
                    "/fail",
                    "/bomb",
                    "/malformed",
                    "/binary",
                    "/image.png",
                    "/truncated",
                    "/private/secret",
                    "/private/open",
                    "/meta-nofollow",
                    "/noindex",
                    "/canon-a",
                    "/to-ftp",
                    "http://10.1.2.3/",
                    "http://[::1",
                    "http://127.0.0.2:99999/",
                    "mailto:a@b.c",
                    *others,
                )
                body += '<a rel="nofollow" href="/hidden-by-rel">sponsored</a>'
                return self.send(200, _page("Test web home", "<h1>Home</h1>" + body))
            if path.startswith("/articles/"):
                n = int(path.rsplit("/", 1)[1])
                title, text = TOPICS[(n - 1) % len(TOPICS)]
                return self.send(200, _page(title, f"<p>{text}</p>" + _links("/")))
            if path in ("/dup/a", "/dup/b"):
                text = DUP_TEXT + (" Version A." if path.endswith("a") else " Version B.")
                return self.send(200, _page("Shared essay", f"<p>{text}</p>"))
            if path.startswith("/calendar/"):
                _, _, y, m = path.split("/")
                y, m = int(y), int(m)
                ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
                return self.send(
                    200,
                    _page(
                        f"Calendar {y}-{m:02d}",
                        f"<p>Events of {y}-{m:02d}</p>" + _links(f"/calendar/{ny}/{nm}"),
                    ),
                )
            if path == "/doc.pdf":
                pdf = make_pdf(
                    "Crawler field manual",
                    ["Polite crawlers honour robots rules", "and wait between requests."],
                )
                return self.send(200, pdf, "application/pdf")
            if path == "/notes.txt":
                return self.send(
                    200,
                    b"Plain notes\nThe crawler also reads plain text files "
                    b"like this one about compost heaps.",
                    "text/plain",
                )
            if path.startswith("/redirect/"):
                n = int(path.rsplit("/", 1)[1])
                return self.redirect(f"/redirect/{n + 1}" if n < 3 else u("127.0.0.5", "/landed"))
            if path == "/loop/a":
                return self.redirect("/loop/b")
            if path == "/loop/b":
                return self.redirect("/loop/a")
            if path == "/to-ftp":
                return self.redirect("ftp://127.0.0.2/file")
            if path == "/slow":
                time.sleep(4)
                return self.send(200, _page("Slow", "<p>finally</p>"))
            if path == "/fail":
                return self.send(500, b"<h1>Internal error</h1>")
            if path == "/bomb":
                return self.send(200, _BOMB, headers={"Content-Encoding": "gzip"})
            if path == "/malformed":
                return self.send(
                    200,
                    b"<html><head><title>Broken but readable</title><body>"
                    b"<div><p>Unclosed tags <b>everywhere <table><tr><td>cell"
                    b"<a href='/articles/1'>first</a>",
                )
            if path == "/binary":
                return self.send(200, b"\x00\x01\x02\xff garbage \x00" * 50)
            if path == "/image.png":
                return self.send(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png")
            if path == "/truncated":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "5000")
                self.end_headers()
                self.wfile.write(b"<html><body>only the beginning")
                self.wfile.flush()
                self.close_connection = True
                return None
            if path.startswith("/private/"):
                return self.send(200, _page("Private " + path, "<p>private area</p>"))
            if path == "/meta-nofollow":
                return self.send(
                    200,
                    _page(
                        "Meta nofollow",
                        _links("/hidden-by-meta"),
                        '<meta name="robots" content="nofollow">',
                    ),
                )
            if path == "/noindex":
                return self.send(
                    200,
                    _page(
                        "Do not index me",
                        "<p>secret compost recipe</p>",
                        '<meta name="robots" content="noindex">',
                    ),
                )
            if path == "/canon-a":
                head = '<link rel="canonical" href="/canon-main">'
                return self.send(200, _page("Canonical copy", "<p>copy</p>", head))
            if path == "/canon-main":
                return self.send(200, _page("Canonical main", "<p>the main version</p>"))
            return self.send(404, b"not found")

        def host_agents(self, host: str, path: str) -> None:
            if path == "/robots.txt":
                return self.robots(
                    "User-agent: *\nDisallow: /\n\nUser-agent: blueprintbot\n"
                    "Disallow: /secret\nAllow: /secret/open$\n"
                )
            if path == "/":
                return self.send(
                    200, _page("Agents home", _links("/page", "/secret/x", "/secret/open"))
                )
            return self.send(200, _page("Agents " + path, "<p>content</p>"))

        def host_robots5xx(self, host: str, path: str) -> None:
            if path == "/robots.txt":
                return self.send(503, b"User-agent: *\nAllow: /\n", "text/plain")
            return self.send(200, _page("Should never be fetched", _links("/a")))

        def host_robots404(self, host: str, path: str) -> None:
            if path.startswith("/chain/"):
                n = int(path.rsplit("/", 1)[1])
                if site.chain_delay:
                    time.sleep(site.chain_delay)
                nxt = _links(f"/chain/{n + 1}") if n < 39 else ""
                return self.send(
                    200,
                    _page(
                        f"Chain page {n}", f"<p>Chain page number {n} of the long chain.</p>{nxt}"
                    ),
                )
            if path == "/robots.txt":
                return self.send(404, b"no robots here")
            if path == "/landed":
                return self.send(200, _page("Landed after redirects", "<p>You made it.</p>"))
            if path == "/":
                return self.send(200, _page("Open host home", _links("/about")))
            return self.send(200, _page("Open host " + path, _links("/")))

        def host_robotsredirect(self, host: str, path: str) -> None:
            hops = {"/robots.txt": "/r1", "/r1": "/r2", "/r2": "/r3", "/r3": "/robots-final.txt"}
            if path in hops:
                return self.redirect(hops[path], 301)
            if path == "/robots-final.txt":
                return self.robots("User-agent: *\nDisallow: /blocked\n")
            if path == "/":
                return self.send(200, _page("Redirect robots home", _links("/blocked", "/ok")))
            return self.send(200, _page("Page " + path, "<p>ok</p>"))

        def host_crawldelay(self, host: str, path: str) -> None:
            if path == "/robots.txt":
                return self.robots("User-agent: *\nCrawl-delay: 0.5\nDisallow:\n")
            if path == "/":
                return self.send(200, _page("Slow down", _links("/p1", "/p2", "/p3")))
            return self.send(200, _page("Delayed " + path, "<p>delayed page</p>"))

        def host_bigrobots(self, host: str, path: str) -> None:
            if path == "/robots.txt":
                filler = "".join(
                    f"# filler line {i:06d} to make the file big\n" for i in range(12_250)
                )
                return self.robots("User-agent: *\n" + filler + "Disallow: /deep-rule\n")
            if path == "/":
                return self.send(200, _page("Big robots home", _links("/deep-rule", "/fine")))
            return self.send(200, _page("Page " + path, "<p>fine</p>"))

    return Handler


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Serve the generated test web on loopback.")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    with Site(args.port) as site:
        print("serving", ", ".join(site.url(h) for h in site.hosts), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
