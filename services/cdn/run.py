"""Entry points of the CDN's server processes (``python -m services.cdn.run edge|origin``).

Edges are configured through one JSON environment variable so that uvicorn's ``--workers``
(which imports an app factory in each worker) gives every worker the same configuration. The
variable (``BLUEPRINT_CDN_EDGE_CONFIG``) holds the edge's purge token, and the origin's
control token comes in ``BLUEPRINT_CDN_ORIGIN_TOKEN``: secrets stay out of the command line.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
from pathlib import Path

import uvicorn

from services.cdn.edge import Edge
from services.cdn.edgeconfig import EdgeConfig
from services.cdn.origin import create_origin_app
from services.cdn.system import build_edge

EDGE_ENV = "BLUEPRINT_CDN_EDGE_CONFIG"
ORIGIN_TOKEN_ENV = "BLUEPRINT_CDN_ORIGIN_TOKEN"


def edge_app_from_env() -> Edge:
    """uvicorn factory: one edge app per worker process, each with its own spool writer."""
    return build_edge(EdgeConfig(**json.loads(os.environ[EDGE_ENV])))


def serve_edge(
    config: EdgeConfig, host: str = "127.0.0.1", port: int = 8100, workers: int = 1
) -> None:
    """Run an edge (or shield) in this process until interrupted; HTTPS when the config names
    a certificate (HTTP/1.1 only: uvicorn speaks no HTTP/2)."""
    os.environ[EDGE_ENV] = json.dumps(dataclasses.asdict(config))
    uvicorn.run(
        "services.cdn.run:edge_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers if workers > 1 else None,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        access_log=False,
        log_level="warning",
        date_header=False,  # the cached response carries the origin's Date
        server_header=False,
        timeout_graceful_shutdown=5,
        ssl_certfile=config.tls_certfile,
        ssl_keyfile=config.tls_keyfile,
    )


def serve_origin(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 8090,
    delay_ms: int = 0,
    token: str | None = None,
) -> None:
    """Run an origin over ``root`` in this process until interrupted; its counters answer
    ``token`` (default: ``BLUEPRINT_CDN_ORIGIN_TOKEN``; closed when neither is set)."""
    uvicorn.run(
        create_origin_app(root, delay_ms=delay_ms, token=token or os.environ.get(ORIGIN_TOKEN_ENV)),
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=5,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services.cdn.run")
    sub = parser.add_subparsers(dest="kind", required=True)
    edge = sub.add_parser("edge", help="run an edge or shield")
    edge.add_argument(
        "--config",
        default=None,
        help=f"EdgeConfig as JSON (default: ${EDGE_ENV}, where a purge token belongs)",
    )
    edge.add_argument("--host", default="127.0.0.1")
    edge.add_argument("--port", type=int, required=True)
    edge.add_argument("--workers", type=int, default=1)
    origin = sub.add_parser("origin", help="run an origin over a directory")
    origin.add_argument("--root", required=True)
    origin.add_argument("--host", default="127.0.0.1")
    origin.add_argument("--port", type=int, required=True)
    origin.add_argument("--delay-ms", type=int, default=0)
    args = parser.parse_args(argv)
    if args.kind == "edge":
        raw = args.config or os.environ.get(EDGE_ENV)
        if raw is None:
            parser.error(f"edge needs --config or ${EDGE_ENV}")
        serve_edge(EdgeConfig(**json.loads(raw)), args.host, args.port, args.workers)
    else:
        serve_origin(Path(args.root), args.host, args.port, args.delay_ms)


if __name__ == "__main__":
    main()
