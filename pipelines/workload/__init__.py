"""The workload simulator: each system plugs its own traffic into the main job.

A system adds ``pipelines/workload/<system>.py`` exporting ``WORKLOAD``, an object with:

- ``name: str`` and ``order: int`` (lower runs first; 100 if absent),
- ``run(ctx: WorkloadContext) -> None``: drive the serving app through ``ctx.client`` (and any
  processes it starts itself), reporting progress with ``ctx.log``,
- ``summarize(ctx: WorkloadContext) -> list[str]``: after the assets materialised, a few lines
  for the final summary (it may call the API again, e.g. to show served models).

Facts a workload wants to pass to its summary go in ``ctx.facts[name]``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from warehouse.settings import Settings


@dataclass
class WorkloadContext:
    client: httpx.Client
    settings: Settings
    rng: random.Random
    log: Callable[[str], None] = print
    scale: float = 1.0
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def admin_headers(self) -> dict[str, str]:
        return {"X-API-Key": self.settings.admin_api_key}

    def api_key(self, user_id: str, roles: list[str] | None = None) -> str:
        """Issue an API key for a simulated user through the auth API."""
        resp = self.client.post(
            "/auth/keys",
            json={"user_id": user_id, "roles": roles or ["user"]},
            headers=self.admin_headers,
        )
        resp.raise_for_status()
        return resp.json()["api_key"]


class Workload(Protocol):
    name: str

    def run(self, ctx: WorkloadContext) -> None: ...

    def summarize(self, ctx: WorkloadContext) -> list[str]: ...


def discover_workloads() -> list[Workload]:
    from pipelines.discovery import submodules

    workloads = [m.WORKLOAD for m in submodules("pipelines.workload", "WORKLOAD")]
    return sorted(workloads, key=lambda w: (getattr(w, "order", 100), w.name))
