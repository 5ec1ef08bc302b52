"""The ETA predictor matching and quotes use: the served model, else the speed fallback.

``EtaServing`` is an ``EtaFn`` (see ``services.rides.dispatch``). Until a trained model is
promoted it is ``dispatch.speed_eta`` (great-circle x street detour at a constant city
speed). ``loader`` is how a promoted model reaches it: a callable returning ``(version,
EtaFn)`` for the current production model, or ``None``; it is asked again whenever the
registry's production pointer changes (hot reload, checked at most once per second).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from services.rides.dispatch import EtaFn, speed_eta

Loader = Callable[[], "tuple[str, EtaFn] | None"]


class EtaServing:
    def __init__(
        self,
        speed_kmh: float,
        loader: Loader | None = None,
        pointer: Path | None = None,
        check_every_s: float = 1.0,
    ) -> None:
        self.fallback = speed_eta(speed_kmh)
        self.loader = loader
        self.pointer = pointer
        self.check_every_s = check_every_s
        self.version: str | None = None
        self._model: EtaFn | None = None
        self._mtime: float | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()

    @property
    def source(self) -> str:
        return f"model {self.version}" if self._model is not None else "speed fallback"

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
        loaded = self.loader()
        with self._lock:
            self._mtime = mtime
            if loaded is not None:
                self.version, self._model = loaded

    def __call__(self, origins, destinations, when: datetime) -> list[float]:
        self.refresh()
        model = self._model
        if model is None:
            return self.fallback(origins, destinations, when)
        return [max(1.0, float(s)) for s in model(origins, destinations, when)]
