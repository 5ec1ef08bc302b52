"""Surge multipliers per H3 cell: computed from supply and demand, served with hot reload.

``compute`` is the rule the asset runs over the last minutes of the lake: per resolution-7
cell, the demand/supply ratio ``(requests + 1) / (free drivers + 1)`` becomes ``1 + slope x
(ratio - 1)``, floored at 1 and capped; each cell is then averaged half-and-half with its
neighbours (a cell's riders can walk a block, its drivers drive one), and blended with the
previous table (``alpha``) so prices do not flicker minute to minute.

``SurgeBoard`` serves the promoted table from the model registry (``rides_surge``) and
re-reads it when the production pointer changes: no restart to change prices.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import h3

from models.registry import ModelRegistry

NAME = "rides_surge"
ARTIFACT = "surge.json"


@dataclass(frozen=True)
class Curve:
    """Ratio of demand to supply -> price multiplier."""

    name: str
    slope: float
    cap: float

    def __call__(self, ratio: float) -> float:
        return max(1.0, min(self.cap, 1.0 + self.slope * (ratio - 1.0)))


PRODUCTION_CURVE = Curve("linear-0.5-cap2", 0.5, 2.0)
CURVES = (
    Curve("flat", 0.0, 1.0),
    PRODUCTION_CURVE,
    Curve("linear-1.0-cap3", 1.0, 3.0),
    Curve("linear-0.25-cap1.5", 0.25, 1.5),
)


def compute(
    demand: dict[str, float],
    supply: dict[str, float],
    previous: dict[str, float] | None = None,
    *,
    curve: Curve = PRODUCTION_CURVE,
    alpha: float = 0.5,
) -> dict[str, float]:
    """Smoothed, capped multipliers for every cell with demand or supply (see above)."""
    cells = set(demand) | set(supply)
    raw = {c: curve((demand.get(c, 0) + 1) / (supply.get(c, 0) + 1)) for c in cells}
    previous = previous or {}
    out: dict[str, float] = {}
    for c in cells | set(previous):
        own = raw.get(c, 1.0)
        near = [raw.get(n, 1.0) for n in h3.grid_ring(c, 1)] if h3.is_valid_cell(c) else []
        spatial = 0.5 * own + 0.5 * (sum(near) / len(near)) if near else own
        value = alpha * spatial + (1 - alpha) * previous.get(c, 1.0)
        value = max(1.0, min(curve.cap if curve.cap > 1 else 1.0, value))
        if value > 1.001:
            out[c] = round(value, 3)
    return out


class SurgeBoard:
    """The promoted surge table, reloaded when the registry's production pointer moves."""

    def __init__(self, registry: ModelRegistry | None) -> None:
        self.registry = registry
        self._lock = threading.Lock()
        self._mtime: float | None = None
        self._table: dict[str, float] = {}
        self.version: str | None = None

    def _pointer(self) -> Path | None:
        return None if self.registry is None else self.registry.pointer(NAME)

    def refresh(self) -> None:
        pointer = self._pointer()
        if pointer is None or not pointer.exists():
            return
        mtime = pointer.stat().st_mtime
        if mtime == self._mtime:
            return
        version = self.registry.production(NAME)
        if version is None:
            return
        data = json.loads(self.registry.artifact(NAME, version).read_text(encoding="utf-8"))
        with self._lock:
            self._table = {str(k): float(v) for k, v in data["cells"].items()}
            self._mtime = mtime
            self.version = version

    def multiplier(self, cell: str) -> float:
        self.refresh()
        return self._table.get(cell, 1.0)

    def table(self) -> dict[str, float]:
        self.refresh()
        return dict(self._table)


def publish(registry: ModelRegistry, cells: dict[str, float], metrics: dict, snapshot: dict) -> str:
    """Save and promote a surge table (the asset's last step)."""

    def write(path: Path) -> None:
        path.write_text(json.dumps({"cells": cells}, sort_keys=True), encoding="utf-8")

    version = registry.save(
        NAME,
        ARTIFACT,
        write,
        params={"rule": "see services.rides.surge"},
        metrics=metrics,
        snapshot=snapshot,
    )
    registry.promote(NAME, version, reason="fresh supply and demand")
    return version
