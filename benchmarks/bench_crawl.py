"""Crawler benchmark on the Python HTML docs (python3-doc) served on loopback.

The docs are served by nginx (or a threaded Python server when nginx is missing) under four
loopback addresses, each a distinct host holding the whole tree. In the same run:

- our crawler (Scrapy subprocess, politeness delays set to zero for these hosts by config);
- a raw baseline: one asyncio process (aiohttp) fetching the same URL list at the same
  concurrency, extracting links with lxml;
- a stock Scrapy spider (default settings, same concurrency, LinkExtractor only);
- peak memory of the frontier per 100,000 URLs, the Bloom filter's measured false-positive
  rate at its configured capacity, and the search MRR of 20 natural queries.

Last line: ``RESULT crawl_pages_per_s=<x> crawl_ratio_vs_raw=<x> bloom_fpr=<x> search_mrr=<x>``.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urljoin

from benchmarks.cpu import children_cpu_seconds

DOCS = Path("/usr/share/doc/python3/html")
HOSTS = ["127.0.0.11", "127.0.0.12", "127.0.0.13", "127.0.0.14"]
CONCURRENCY = 16
PER_HOST = 4
PROCESSES = min(4, os.cpu_count() or 1)  # host-sharded crawler processes (total concurrency 16)
BLOOM_CAPACITY = 1_000_000
BLOOM_FPR = 0.001

# 20 natural queries and the page that answers each (path suffix on any host).
QUERIES = [
    ("asyncio event loop", "library/asyncio-eventloop.html"),
    ("json dump to file", "library/json.html"),
    ("regular expression syntax", "library/re.html"),
    ("read csv file", "library/csv.html"),
    ("command line argument parsing", "library/argparse.html"),
    ("run a subprocess and capture output", "library/subprocess.html"),
    ("date and time formatting", "library/datetime.html"),
    ("unit testing framework", "library/unittest.html"),
    ("logging configuration", "library/logging.config.html"),
    ("pathlib object-oriented filesystem paths", "library/pathlib.html"),
    ("sqlite database", "library/sqlite3.html"),
    ("thread based parallelism", "library/threading.html"),
    ("random numbers", "library/random.html"),
    ("dataclasses", "library/dataclasses.html"),
    ("type hints", "library/typing.html"),
    ("sockets low-level networking interface", "library/socket.html"),
    ("zip archive files", "library/zipfile.html"),
    ("pickle object serialization", "library/pickle.html"),
    ("functools lru_cache decorator", "library/functools.html"),
    ("collections deque namedtuple", "library/collections.html"),
]


def log(msg: str) -> None:
    print(msg, flush=True)


def ensure_docs() -> bool:
    if DOCS.exists():
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("python3-doc missing: installing it (root)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "python3-doc"],
            check=False,
            timeout=900,
            env=env,
        )
    return DOCS.exists()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOSTS[0], 0))
        return s.getsockname()[1]


def start_server(port: int, tmp: Path) -> subprocess.Popen:
    """nginx when installed (C, keeps the server out of the measurement), else Python."""
    nginx = shutil.which("nginx")
    if nginx:
        listens = "\n".join(f"    listen {h}:{port};" for h in HOSTS)
        temps = "\n".join(
            f"  {k}_temp_path {tmp}/{k};"
            for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        conf = tmp / "nginx.conf"
        conf.write_text(
            f"worker_processes 1;\ndaemon off;\npid {tmp}/nginx.pid;\nerror_log {tmp}/err.log;\n"
            "events { worker_connections 1024; }\nhttp {\n  access_log off;\n"
            "  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
            f"  sendfile on;\n  keepalive_requests 100000;\n{temps}\n  server {{\n{listens}\n"
            f"    root {DOCS};\n  }}\n}}\n",
            encoding="utf-8",
        )
        proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp)])
    else:
        proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.bench_crawl", "--serve", str(port)]
        )
    deadline = time.monotonic() + 10
    import socket

    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOSTS[-1], port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("docs server did not start")


def serve_python(port: int) -> None:
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

    handler = functools.partial(Quiet, directory=str(DOCS))
    for host in HOSTS:
        server = ThreadingHTTPServer((host, port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    while True:
        time.sleep(3600)


def run_ours(seeds: list[str], crawl_dir: Path, max_pages: int = 100_000) -> dict:
    from crawlers.run import CrawlConfig

    config = CrawlConfig(
        crawl_id="bench",
        crawl_dir=str(crawl_dir),
        seeds=seeds,
        lake_dir=str(crawl_dir.parent / "lake") if max_pages == 100_000 else "",
        max_pages=max_pages,
        max_depth=50,
        allowed_networks=["127.0.0.0/8"],
        allowed_hosts=HOSTS,
        download_delay=0.0,
        host_delays={h: 0.0 for h in HOSTS},
        concurrency=CONCURRENCY,
        per_host=PER_HOST,
        timeout=30,
        bloom_capacity=BLOOM_CAPACITY,
        bloom_fpr=BLOOM_FPR,
        processes=PROCESSES,
    )
    path = config.save(crawl_dir / "config.json")
    proc = subprocess.run(
        [sys.executable, "-m", "crawlers.run", str(path)],
        check=True,
        timeout=1800,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fetched_urls(dbs: list[Path]) -> list[str]:
    urls: list[str] = []
    for db in dbs:
        with sqlite3.connect(db) as con:
            urls += [r[0] for r in con.execute("SELECT url FROM pages")]
            urls += [r[0] for r in con.execute("SELECT url FROM errors WHERE kind = 'http'")]
    return urls


async def raw_baseline(urls: list[str]) -> tuple[int, float, int]:
    """Plain aiohttp + lxml over the same URLs at the same concurrency, one process."""
    import aiohttp
    import lxml.html

    links = 0
    ok = 0
    sem = asyncio.Semaphore(CONCURRENCY)
    connector = aiohttp.TCPConnector(limit=CONCURRENCY, limit_per_host=PER_HOST)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(url: str) -> None:
            nonlocal links, ok
            async with sem, session.get(url) as resp:
                body = await resp.read()
                ok += 1
                if "html" in resp.headers.get("Content-Type", "") and body.strip():
                    doc = lxml.html.fromstring(body)
                    links += len([urljoin(url, h) for h in doc.xpath("//a/@href")])

        started = time.perf_counter()
        await asyncio.gather(*(one(u) for u in urls))
        return ok, time.perf_counter() - started, links


def stock_spider_main(seeds: list[str]) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.linkextractors import LinkExtractor

    class StockSpider(scrapy.Spider):
        name = "stock"
        allowed_domains = HOSTS
        start_urls = seeds
        extractor = LinkExtractor()

        def parse(self, response):  # noqa: ANN001, ANN201 - stock Scrapy style
            if not hasattr(response, "text"):
                return
            for link in self.extractor.extract_links(response):
                yield scrapy.Request(link.url, callback=self.parse)

    process = CrawlerProcess(
        {
            "CONCURRENT_REQUESTS": CONCURRENCY,
            "LOG_LEVEL": "WARNING",
            "CONCURRENT_REQUESTS_PER_DOMAIN": PER_HOST,
        }
    )
    crawler = process.create_crawler(StockSpider)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats()
    seconds = (stats["finish_time"] - stats["start_time"]).total_seconds()
    print(json.dumps({"pages": stats.get("response_received_count", 0), "seconds": seconds}))


def run_stock(seeds: list[str]) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_crawl", "--stock", json.dumps(seeds)],
        check=True,
        timeout=1800,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def frontier_memory_per_100k(tmp: Path) -> float:
    """Peak Python heap (tracemalloc) of a frontier holding 100,000 queued URLs, in MiB."""
    from crawlers.frontier import Frontier
    from crawlers.store import CrawlStore

    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    frontier = Frontier(
        CrawlStore(tmp / "mem.sqlite"), bloom_capacity=BLOOM_CAPACITY, bloom_fpr=BLOOM_FPR
    )
    for chunk in range(10):
        urls = [f"http://h{i % 50}.example/section/{chunk}/page-{i}.html" for i in range(10_000)]
        rows = frontier.filter_new(urls, 1, None)
        frontier.store.add_urls(rows)
        frontier.accept(rows)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    assert frontier.queued() == 100_000
    frontier.store.close()
    return peak / 2**20


def search_mrr(lake_dir: Path, index_folder: Path) -> tuple[float, list[tuple[str, int]]]:
    from crawlers.downstream import build_search_index
    from warehouse.lake import Lake

    index = build_search_index(Lake(lake_dir), index_folder)
    ranks = []
    for query, answer in QUERIES:
        hits = index.search(query, limit=10)
        rank = next((i for i, h in enumerate(hits, 1) if h.url.endswith("/" + answer)), 0)
        ranks.append((query, rank))
    mrr = sum(1 / r for _, r in ranks if r) / len(ranks)
    return mrr, ranks


def main() -> int:
    if not ensure_docs():
        log(f"SKIP: {DOCS} missing (install python3-doc as root: make bench-crawl does)")
        log("RESULT crawl_pages_per_s=nan crawl_ratio_vs_raw=nan bloom_fpr=nan search_mrr=nan")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    port = free_port()
    server = start_server(port, tmp)
    try:
        seeds = [f"http://{h}:{port}/index.html" for h in HOSTS]
        log(
            f"serving {DOCS} on {', '.join(HOSTS)} port {port} "
            f"({'nginx' if shutil.which('nginx') else 'python'})"
        )
        log(
            f"[1/6] our crawler: {PROCESSES} processes, total concurrency {CONCURRENCY}, "
            f"{PER_HOST} per host, delay 0"
        )
        # Both sides read the docs from the page cache, not the disk.
        for path in DOCS.rglob("*"):
            if path.is_file():
                path.read_bytes()
        cpu0 = children_cpu_seconds()
        ours = run_ours(seeds, tmp / "ours")
        ours_cpu = children_cpu_seconds() - cpu0
        ours_rate = ours["pages"] / ours["seconds"]
        ours_ms = 1000 * ours_cpu / max(1, ours["pages"])
        log(
            f"  pages={ours['pages']} errors={ours['errors']} bytes={ours['bytes']} "
            f"in {ours['seconds']:.1f}s -> {ours_rate:.1f} pages/s; "
            f"{ours_ms:.1f} ms CPU per page"
        )
        urls = fetched_urls(sorted((tmp / "ours").glob("**/crawl.sqlite")))
        # The machine is shared: the baseline runs twice and the ratio uses its mean rate.
        log(
            f"[2/6] raw baseline (aiohttp + lxml, one process) over the same {len(urls)} URLs,"
            " run twice"
        )
        rates, raw_ms = [], []
        for _ in range(2):
            cpu0 = time.process_time()
            raw_pages, raw_seconds, raw_links = asyncio.run(raw_baseline(urls))
            raw_cpu = time.process_time() - cpu0
            rates.append(raw_pages / raw_seconds)
            per_page = 1000 * raw_cpu / raw_pages
            raw_ms.append(per_page)
            log(
                f"  pages={raw_pages} links={raw_links} in {raw_seconds:.1f}s -> "
                f"{rates[-1]:.1f} pages/s; {per_page:.1f} ms CPU per page"
            )
        raw_rate = sum(rates) / len(rates)
        log("[3/6] stock Scrapy spider (default settings, same concurrency, links only)")
        stock = run_stock(seeds)
        stock_rate = stock["pages"] / stock["seconds"]
        log(f"  pages={stock['pages']} in {stock['seconds']:.1f}s -> {stock_rate:.1f} pages/s")
        log("[4/6] frontier memory")
        mem = frontier_memory_per_100k(tmp)
        log(f"  peak {mem:.1f} MiB per 100,000 frontier URLs (Python heap, incl. Bloom filter)")
        log(f"[5/6] Bloom filter at capacity {BLOOM_CAPACITY:,}, target FPR {BLOOM_FPR}")
        from crawlers.bloom import measure_fpr

        fpr = measure_fpr(BLOOM_CAPACITY, BLOOM_FPR, probes=200_000)
        log(f"  measured FPR {fpr:.5f} vs target {BLOOM_FPR}")
        log("[6/6] search quality: 20 natural queries")
        mrr, ranks = search_mrr(tmp / "lake", tmp / "index")
        for query, rank in ranks:
            log(f"  {rank or '-':>2}  {query}")
        log(f"  MRR@10 = {mrr:.3f}")
        ratio = ours_rate / raw_rate
        log(
            f"ratios: vs raw {ratio:.2f} (target >= 0.5), vs stock Scrapy "
            f"{ours_rate / stock_rate:.2f}"
        )
        # Supporting evidence on a shared, noisy machine: CPU time per page does not depend
        # on how much of the CPU other work left us (all crawler processes counted).
        mean_raw_ms = sum(raw_ms) / len(raw_ms)
        log(
            f"CPU per page: ours {ours_ms:.1f} ms ({PROCESSES} processes, all counted), raw "
            f"{mean_raw_ms:.1f} ms; raw/ours {mean_raw_ms / ours_ms:.2f}"
        )
        print(
            f"RESULT crawl_pages_per_s={ours_rate:.1f} crawl_ratio_vs_raw={ratio:.2f} "
            f"bloom_fpr={fpr:.5f} search_mrr={mrr:.3f}",
            flush=True,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--serve":
        serve_python(int(sys.argv[2]))
    elif len(sys.argv) > 2 and sys.argv[1] == "--stock":
        stock_spider_main(json.loads(sys.argv[2]))
    else:
        sys.exit(main())
