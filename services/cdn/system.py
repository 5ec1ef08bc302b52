"""The CDN's composition root: the control-plane service, and each edge process's app.

``build`` is how the API, Dagster, the CLI and the workload get the control plane;
``build_edge`` is how a standalone edge or shield process (``services.cdn.run``) gets its
app, with its access log writing into the lake through its own spool source.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable

from services.auth import hash_key
from services.cdn.accesslog import AccessLog
from services.cdn.edge import Edge
from services.cdn.edgeconfig import EdgeConfig
from services.cdn.routing import EdgeRegistry
from services.cdn.service import CdnService
from services.cdn.settings import CdnSettings
from services.db import make_engine
from warehouse.emitter import Emitter, make_transport
from warehouse.settings import Settings, get_settings


def build(
    settings: Settings,
    emitter: Emitter,
    *,
    conf: CdnSettings | None = None,
    clock: Callable[[], float] = time.time,
) -> CdnService:
    """The control plane over the edge registry (and the edges' purge tokens) in the ``cdn``
    store. It keeps only a hash of the admin key, to refuse it as an edge's token.

    ``clock`` is wall time (health-check stamps and their age); tests pass a fake one.
    """
    conf = conf or CdnSettings()
    return CdnService(
        EdgeRegistry(make_engine(settings, "cdn"), clock=clock),
        emitter,
        conf=conf,
        admin_key_hash=hash_key(settings.admin_api_key),
        clock=clock,
        edge_ca=settings.data_dir / "cdn" / "tls" / "ca.pem",
    )


def build_edge(
    config: EdgeConfig,
    settings: Settings | None = None,
    *,
    clock: Callable[[], float] = time.time,
) -> Edge:
    """One edge (or shield) process's ASGI app.

    Purges need the edge's own ``config.purge_token`` (an edge without one refuses every
    purge; the admin key is never an edge's token). With ``config.access_log`` the edge writes
    ``cdn``/``access`` events through its own emitter, which the edge closes at shutdown.
    ``clock`` is the edge's wall time (freshness, Age).
    """
    settings = settings or get_settings()
    if config.purge_token is not None and hmac.compare_digest(
        config.purge_token.encode(), settings.admin_api_key.encode()
    ):
        raise ValueError("an edge's purge token must be its own, never the admin API key")
    access_log = None
    if config.access_log:
        emitter = Emitter(make_transport(settings, "cdn-edge"))
        access_log = AccessLog(emitter, edge=config.name, region=config.region, role=config.role)
    return Edge(config, access_log=access_log, clock=clock)
