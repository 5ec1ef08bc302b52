"""Builds systems' services through their composition roots, dependencies first.

Every system exposes ``services/<id>/system.py`` with ``build(settings, emitter, **needs)``
and, when it calls other systems, ``NEEDS = ("other_id", ...)``: the services of those systems
are passed to ``build`` by keyword, so one process holds exactly one service per system (one
store, one cache tier, one clock) whoever asked for it: the app, a Dagster resource, a CLI
command or another system.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from types import ModuleType
from typing import Any

from warehouse.emitter import Emitter
from warehouse.settings import Settings
from warehouse.systems import system


def composition_root(system_id: str) -> ModuleType:
    """``services.<id>.system`` of a registered system (``KeyError`` for unknown ids)."""
    return importlib.import_module(f"services.{system(system_id).id}.system")


def build_services(
    settings: Settings,
    emitter: Emitter,
    system_ids: Iterable[str],
    built: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The services of ``system_ids`` and of everything they need, built once each.

    ``built`` holds services already made (for example a test's fixture); it is extended in
    place and returned.
    """
    built = {} if built is None else built
    visiting: set[str] = set()

    def ensure(system_id: str) -> Any:
        if system_id in built:
            return built[system_id]
        if system_id in visiting:
            raise RuntimeError(f"systems need each other in a cycle through {system_id!r}")
        visiting.add(system_id)
        root = composition_root(system_id)
        needs = {dep: ensure(dep) for dep in getattr(root, "NEEDS", ())}
        built[system_id] = root.build(settings, emitter, **needs)
        visiting.discard(system_id)
        return built[system_id]

    for system_id in system_ids:
        ensure(system_id)
    return built


def build_service(settings: Settings, emitter: Emitter, system_id: str) -> Any:
    """One system's service (and, privately, the services it needs)."""
    return build_services(settings, emitter, [system_id])[system_id]


def close_services(services: dict[str, Any]) -> None:
    """Close services in the reverse of the order they were built (dependents first)."""
    for service in reversed(list(services.values())):
        close = getattr(service, "close", None)
        if close is not None:
            close()
