"""Serving "customers also bought": the promoted ``also_bought`` model, hot-reloaded.

Each request asks ``current()``, which at most every ``check_interval`` seconds stats the
registry's ``stages.json``; when the production pointer moved, one thread loads the new
version (checksum verified by the registry) and swaps it in with one reference assignment,
so requests in flight finish on the old model. A missing or corrupt artifact leaves the old
model serving and is reported in ``status``.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.registry import ModelRegistry

log = logging.getLogger(__name__)
NAME = "also_bought"


@dataclass(frozen=True)
class Served:
    model: Any = None
    version: str | None = None


class AlsoBoughtServer:
    def __init__(self, models_dir: Path, check_interval: float = 0.5) -> None:
        self.registry = ModelRegistry(models_dir)
        self.check_interval = check_interval
        self.served = Served()
        self.error: str | None = None
        self.reloads = 0
        self._stamp: tuple[int, int] | None = None
        self._next = 0.0
        self._lock = threading.Lock()

    def current(self) -> Served:
        now = time.monotonic()
        if now >= self._next:
            self._next = now + self.check_interval
            self.refresh()
        return self.served

    def refresh(self, force: bool = False) -> None:
        if not self._lock.acquire(blocking=force):
            return
        try:
            try:
                st = self.registry.pointer(NAME).stat()
                stamp = (st.st_mtime_ns, st.st_size)
            except FileNotFoundError:
                stamp = None
            if stamp == self._stamp and not force:
                return
            self._stamp = stamp
            version = self.registry.production(NAME) if stamp else None
            if version is None or version == self.served.version:
                return
            try:
                from models.also_bought import load

                model = load(self.registry.artifact(NAME, version))
            except Exception as exc:  # noqa: BLE001 - keep serving what is loaded
                self.error = f"{version}: {exc}"
                log.warning("could not load also_bought %s: %s", version, exc)
                return
            self.served = Served(model, version)
            self.error = None
            self.reloads += 1
        finally:
            self._lock.release()
