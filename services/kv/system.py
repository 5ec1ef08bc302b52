"""The key-value store's composition root: the only place its service is put together."""

from __future__ import annotations

from services.kv.service import KvService
from services.kv.settings import KvSettings
from warehouse.emitter import Emitter
from warehouse.settings import Settings


def build(settings: Settings, emitter: Emitter, *, conf: KvSettings | None = None) -> KvService:
    """The control plane of a cluster shaped by ``BLUEPRINT_KV_*`` (nodes run as processes)."""
    return KvService(settings, emitter, conf or KvSettings())
