"""How one edge (or shield) process is set up: ``EdgeConfig``, read by the edge, its control
endpoints, the process runner and the command line."""

from __future__ import annotations

from dataclasses import dataclass

from services.cdn.respond import COMPRESSIBLE_TYPES


@dataclass
class EdgeConfig:
    """How one edge (or shield) process is set up."""

    name: str
    upstream: str
    region: str = "local"
    role: str = "edge"  # or "shield"
    memory_bytes: int = 256 * 1024 * 1024
    disk_dir: str | None = None
    max_object_bytes: int = 64 * 1024 * 1024
    connect_timeout: float = 2.0
    read_timeout: float = 10.0
    purge_token: str | None = None  # this edge's own; without one it refuses purges
    access_log: bool = True
    #: Content types (prefixes) the edge compresses; playlists and manifests by default.
    compress_types: tuple[str, ...] = COMPRESSIBLE_TYPES
    #: How stale a stored response may be served when the upstream cannot be reached (RFC 9111
    #: §4.2.4 allows it when disconnected, unless a directive forbids it); 0 turns it off.
    stale_if_disconnected_s: float = 3600.0
    #: Per-client rate limit (requests per second per client address, token bucket); 0 turns
    #: it off. Purges and preloads with this edge's token and health probes are never limited.
    rate_limit_rps: float = 0.0
    #: Requests a client may make at once (bucket size); 0 means twice the rate.
    rate_limit_burst: float = 0.0
    #: Most client buckets kept (idle ones are dropped first): bounds the limiter's memory.
    rate_limit_clients: int = 65_536
    #: Serve HTTPS with this certificate and key (``services.cdn.tls``); plain HTTP without.
    tls_certfile: str | None = None
    tls_keyfile: str | None = None

    def __post_init__(self) -> None:
        self.compress_types = tuple(t.lower() for t in self.compress_types)
