"""Entry point of one node process (``python -m services.kv.process``; ``blueprint kv node``
wraps it). Kept free of the platform's heavier imports so a node starts in well under a second.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from services.heap import settle_startup_heap
from services.kv.node import Node, NodeConfig, serve
from services.kv.wal import CHECKPOINT_BYTES


def parse_peers(raw: str) -> dict[str, tuple[str, int]]:
    """``name=host:port,name=host:port`` -> {name: (host, port)}."""
    peers: dict[str, tuple[str, int]] = {}
    for item in filter(None, (p.strip() for p in raw.split(","))):
        name, _, addr = item.partition("=")
        host, _, port = addr.rpartition(":")
        if not name or not host or not port.isdigit():
            raise ValueError(f"peer {item!r} is not name=host:port")
        peers[name] = (host, int(port))
    return peers


def config_from_args(argv: list[str] | None = None) -> NodeConfig:
    p = argparse.ArgumentParser(prog="kv-node", description=__doc__)
    p.add_argument("--name", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--peers", default="", help="the other nodes: name=host:port,...")
    p.add_argument("--n", type=int, default=3)
    p.add_argument("--r", type=int, default=2)
    p.add_argument("--w", type=int, default=2)
    p.add_argument("--vnodes", type=int, default=64)
    p.add_argument("--consistency", choices=["eventual", "linearizable"], default="eventual")
    p.add_argument("--no-fsync", action="store_true")
    p.add_argument(
        "--checkpoint-mb",
        type=int,
        default=CHECKPOINT_BYTES >> 20,
        help="fold the write-ahead log into LMDB when it reaches this size",
    )
    p.add_argument("--anti-entropy-s", type=float, default=2.0)
    p.add_argument("--join", default="", help="host:port of a running node: join its cluster")
    p.add_argument("--probe-timeout-s", type=float, default=0.5)
    p.add_argument("--suspect-s", type=float, default=3.0, help="suspect this long: dead")
    p.add_argument("--tombstone-grace-s", type=float, default=60.0)
    p.add_argument(
        "--request-timeout-s",
        type=float,
        default=5.0,
        help="a replica request not answered this long fails (the peer keeps its membership)",
    )
    p.add_argument(
        "--events",
        action="store_true",
        help="send events to the platform's spool (BLUEPRINT_DATA_DIR), for the lake",
    )
    a = p.parse_args(argv)
    peers = parse_peers(a.peers)
    peers.pop(a.name, None)
    join = None
    if a.join:
        host, _, port = a.join.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"--join {a.join!r} is not host:port")
        join = (host, int(port))
    return NodeConfig(
        name=a.name,
        host=a.host,
        port=a.port,
        data_dir=a.data / a.name,
        n=a.n,
        r=a.r,
        w=a.w,
        vnodes=a.vnodes,
        consistency=a.consistency,
        fsync=not a.no_fsync,
        checkpoint_bytes=max(1, a.checkpoint_mb) << 20,
        peers=peers,
        anti_entropy_interval_s=a.anti_entropy_s,
        join=join,
        probe_timeout_s=a.probe_timeout_s,
        suspect_timeout_s=a.suspect_s,
        tombstone_grace_s=a.tombstone_grace_s,
        request_timeout_s=a.request_timeout_s,
        events=a.events,
    )


class LakeEvents:
    """Hands a node's event records to the platform's emitter (its own spool source)."""

    def __init__(self, node_name: str) -> None:
        from warehouse.emitter import Emitter, make_transport
        from warehouse.settings import get_settings

        self.emitter = Emitter(make_transport(get_settings(), f"kv-{node_name}"))

    def emit_batch(self, records: list[dict]) -> None:
        from warehouse.events import Event

        events = []
        for rec in records:
            attrs = dict(rec)
            kind = attrs.pop("type")
            events.append(Event(system="kv", type=kind, actor=attrs.get("node"), attrs=attrs))
        self.emitter.emit_events(events)

    def close(self) -> None:
        self.emitter.flush()
        self.emitter.close()


def build_node(config: NodeConfig) -> Node:
    node = Node(config)
    if config.peers or config.join is not None:
        from services.kv.coordinator import Cluster

        node.cluster = Cluster(node)
        if config.events:
            node.cluster.maintenance.emitter = LakeEvents(config.name)
    return node


def main(argv: list[str] | None = None) -> None:
    config = config_from_args(argv)
    node = build_node(config)
    settle_startup_heap()
    try:
        import uvloop  # libuv's event loop: the same asyncio API, a faster network path
    except ImportError:
        asyncio.run(serve(node))
    else:
        uvloop.run(serve(node))
    finally:
        if node.cluster is not None and node.cluster.maintenance.emitter is not None:
            node.cluster.maintenance.emitter.close()


if __name__ == "__main__":
    main()
