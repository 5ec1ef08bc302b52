"""The serving side of the registry: load production models and hot-swap them.

The feed service owns one ``ModelServer`` (``FeedService.server``); nothing else loads models
for serving.

Each request asks ``ModelServer.current()``, which at most every ``check_interval`` seconds
stats the registry's ``stages.json`` pointers. When one changed, one thread (non-blocking lock)
loads the new version and replaces the immutable ``Loaded`` snapshot with a single reference
assignment, so in-flight requests finish on the old models and none is dropped. A missing or
corrupt artifact leaves the current models serving and is reported in ``status()``; at cold
start the previous stage's version is tried instead.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from models.bundle import RecBundle
from models.ranker import FeedRanker
from models.registry import ModelRegistry

log = logging.getLogger(__name__)
LOADERS = {"recs": RecBundle.load, "ranker": FeedRanker.load}


@dataclass(frozen=True)
class Loaded:
    """One consistent set of served models; never mutated, only replaced."""

    recs: RecBundle | None = None
    recs_version: str | None = None
    ranker: FeedRanker | None = None
    ranker_version: str | None = None


@dataclass
class ModelServer:
    registry: ModelRegistry
    check_interval: float = 0.5
    loaded: Loaded = field(default_factory=Loaded)
    errors: dict[str, dict[str, str]] = field(default_factory=dict)
    reloads: int = 0
    _seen: dict[str, tuple[int, int] | None] = field(default_factory=dict)
    _next_check: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def for_dir(cls, models_dir: Path, check_interval: float = 0.5) -> ModelServer:
        server = cls(ModelRegistry(models_dir), check_interval)
        server.refresh(force=True)
        return server

    def current(self) -> Loaded:
        """The models to serve now (after a cheap, throttled pointer check)."""
        now = time.monotonic()
        if now >= self._next_check:
            self._next_check = now + self.check_interval
            self.refresh()
        return self.loaded

    def _stamp(self, name: str) -> tuple[int, int] | None:
        try:
            st = self.registry.pointer(name).stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def refresh(self, force: bool = False) -> None:
        """Reload any model whose stage pointer changed since the last look."""
        if not self._lock.acquire(blocking=force):
            return  # another thread is loading; keep serving what is loaded
        try:
            for name in LOADERS:
                stamp = self._stamp(name)
                if not force and stamp == self._seen.get(name, None) and name in self._seen:
                    continue
                self._seen[name] = stamp
                self._load(name)
        finally:
            self._lock.release()

    def _report(self, name: str, version: str | None, exc: Exception) -> None:
        self.errors[name] = {
            "version": str(version),
            "error": f"{type(exc).__name__}: {exc}",
            "at": datetime.now(UTC).isoformat(),
        }
        log.error("could not load %s %s, keeping what is served: %s", name, version, exc)

    def _load(self, name: str) -> None:
        try:
            stages = self.registry.stages(name)
        except Exception as exc:  # noqa: BLE001 - a broken pointer must not stop serving
            self._report(name, None, exc)
            return
        current = getattr(self.loaded, f"{name}_version")
        wanted = [stages.get("production")]
        if current is None:
            wanted.append(stages.get("previous"))  # cold start: fall back a version
        for version in [v for v in wanted if v]:
            if version == current:
                return
            try:
                model = LOADERS[name](self.registry.artifact(name, version))
            except Exception as exc:  # noqa: BLE001 - any broken artifact must not stop serving
                self._report(name, version, exc)
                continue
            self.loaded = replace(self.loaded, **{name: model, f"{name}_version": version})
            self.reloads += 1
            if self.errors.get(name, {}).get("version") == version:
                self.errors.pop(name, None)
            log.info("now serving %s %s", name, version)
            return

    def _production(self, name: str) -> str | None:
        try:
            return self.registry.production(name)
        except Exception:  # noqa: BLE001 - reported through errors already
            return None

    def status(self) -> dict[str, Any]:
        loaded = self.current()
        return {
            "recs_version": loaded.recs_version,
            "ranker_version": loaded.ranker_version,
            "production": {n: self._production(n) for n in LOADERS},
            "errors": self.errors,
            "reloads": self.reloads,
        }
