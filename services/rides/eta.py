"""The ETA predictors matching and quotes use: the served model, else the speed fallback.

``EtaServing`` is an ``EtaFn`` for *pickup* legs (driver -> rider; see
``services.rides.dispatch``), and ``EtaServing.trip`` predicts ride times for quotes. Until
a model trained on real trips is promoted in the registry (``rides_eta``), both are
``dispatch.speed_eta``: great-circle x street detour at a constant city speed (plus a minute
to set off and stop, for pickups). A promoted
model is picked up when the registry's production pointer changes (hot reload, checked at
most once per second), and a model that fails to load leaves the last one serving.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from services.rides.dispatch import EtaFn, speed_eta

log = logging.getLogger(__name__)

#: A driver needs about a minute to set off and to stop, even next door (fallback pickups).
PICKUP_OVERHEAD_S = 60.0
#: -> (version, pickup EtaFn, trip EtaFn) of the production model, or None.
Loader = Callable[[], "tuple[str, EtaFn, EtaFn] | None"]


class EtaServing:
    def __init__(
        self,
        speed_kmh: float,
        loader: Loader | None = None,
        pointer: Path | None = None,
        check_every_s: float = 1.0,
    ) -> None:
        self.fallback = speed_eta(speed_kmh, overhead_s=PICKUP_OVERHEAD_S)
        self.trip_fallback = speed_eta(speed_kmh)
        self.loader = loader
        self.pointer = pointer
        self.check_every_s = check_every_s
        self.version: str | None = None
        self._pickup: EtaFn | None = None
        self._trip: EtaFn | None = None
        self._mtime: int | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()

    @property
    def source(self) -> str:
        return f"model {self.version}" if self._pickup is not None else "speed fallback"

    def refresh(self, force: bool = False) -> None:
        if self.loader is None:
            return
        now = time.monotonic()
        if not force and now - self._checked < self.check_every_s:
            return
        self._checked = now
        mtime = None
        if self.pointer is not None:
            try:
                mtime = self.pointer.stat().st_mtime_ns
            except FileNotFoundError:
                return
            if mtime == self._mtime and not force:
                return
        try:
            loaded = self.loader()
        except Exception:  # noqa: BLE001 - a broken artifact must not stop matching
            log.exception("could not load the ETA model; keeping %s", self.source)
            loaded = None
        with self._lock:
            self._mtime = mtime
            if loaded is not None:
                self.version, self._pickup, self._trip = loaded

    def __call__(self, origins, destinations, when: datetime) -> list[float]:
        """Pickup seconds for each (driver position, pickup point) pair."""
        self.refresh()
        fn = self._pickup or self.fallback
        return [max(1.0, float(s)) for s in fn(origins, destinations, when)]

    def trip(self, origins, destinations, when: datetime) -> list[float]:
        """Ride seconds for each (pickup, drop-off) pair."""
        self.refresh()
        fn = self._trip or self.trip_fallback
        return [max(1.0, float(s)) for s in fn(origins, destinations, when)]


#: Rows per model call. The compiled trees build (rows x trees x leaves) intermediates;
#: a request's 32 shortlisted drivers at once outgrow a core's cache (measured: 6.2 ms for
#: 32 rows in one call, 2.6 ms in two calls of 16), so pairs go in slices of this many.
MODEL_ROWS = 16


def _sliced(fn: Callable, origins, destinations, when) -> list[float]:
    out: list[float] = []
    for i in range(0, len(origins), MODEL_ROWS):
        out += fn(origins[i : i + MODEL_ROWS], destinations[i : i + MODEL_ROWS], when).tolist()
    return out


def model_functions(model: Any) -> tuple[EtaFn, EtaFn]:
    """Vectorised pickup and trip predictors over a trained ``models.rides_eta.EtaModel``:
    the candidates of a request (or the pairs of a batch) in a few model calls on numpy
    arrays (``EtaModel.pickup_pairs`` and ``predict_pairs``), no frame built per call."""

    def trip(origins, destinations, when) -> list[float]:
        return _sliced(model.predict_pairs, origins, destinations, when)

    def pickup(origins, destinations, when) -> list[float]:
        return _sliced(model.pickup_pairs, origins, destinations, when)

    return pickup, trip


def registry_loader(registry: Any) -> Loader:
    """Load the production ``rides_eta`` model from the registry, if one is promoted."""

    def load() -> tuple[str, EtaFn, EtaFn] | None:
        from models.rides_eta import MODEL_NAME, load_model

        version = registry.production(MODEL_NAME)
        if version is None:
            return None
        return (version, *model_functions(load_model(registry, version)))

    return load
