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
import time
from dataclasses import dataclass
from pathlib import Path

import h3

from models.registry import ModelRegistry

NAME = "rides_surge"


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


class Served:
    """A JSON artifact promoted in the model registry, re-read when the production pointer
    moves (checked at most once per ``check_every_s``): surge tables, dispatch policies."""

    def __init__(
        self, registry: ModelRegistry | None, name: str, check_every_s: float = 1.0
    ) -> None:
        self.registry = registry
        self.name = name
        self.check_every_s = check_every_s
        self._lock = threading.Lock()
        self._mtime: int | None = None
        self._checked = float("-inf")
        self.data: dict = {}
        self.version: str | None = None

    def refresh(self, force: bool = False) -> None:
        if self.registry is None:
            return
        now = time.monotonic()
        if not force and now - self._checked < self.check_every_s:
            return
        self._checked = now
        pointer = self.registry.pointer(self.name)
        try:
            mtime = pointer.stat().st_mtime_ns
        except FileNotFoundError:
            return
        if mtime == self._mtime:
            return
        version = self.registry.production(self.name)
        if version is None:
            return
        data = json.loads(self.registry.artifact(self.name, version).read_text(encoding="utf-8"))
        with self._lock:
            self.data, self._mtime, self.version = data, mtime, version


class SurgeBoard(Served):
    """The promoted surge table: H3 resolution-7 cell -> multiplier (1.0 where absent)."""

    def __init__(self, registry: ModelRegistry | None) -> None:
        super().__init__(registry, NAME)

    def multiplier(self, cell: str) -> float:
        self.refresh()
        return float(self.data.get("cells", {}).get(cell, 1.0))

    def table(self) -> dict[str, float]:
        self.refresh()
        return {str(k): float(v) for k, v in self.data.get("cells", {}).items()}


def publish_json(
    registry: ModelRegistry,
    name: str,
    data: dict,
    *,
    metrics: dict,
    snapshot: dict,
    reason: str,
) -> str:
    """Save a JSON artifact as a new version and promote it (served with hot reload)."""

    def write(path: Path) -> None:
        path.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")

    version = registry.save(
        name,
        "data.json",
        write,
        params={"rule": f"see services.rides ({name})"},
        metrics=metrics,
        snapshot=snapshot,
    )
    registry.promote(name, version, reason=reason)
    return version
