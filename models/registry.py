"""Versioned model artifacts on disk, with stage pointers and a promotion gate.

Layout under ``settings.models_dir``::

    <name>/v0003/model.npz | model.joblib   the artifact (format owned by its library)
    <name>/v0003/meta.json                  params, metrics, data snapshot, sha256, created
    <name>/stages.json                      {"production", "previous", "history"}

A version directory is written under a temporary name and renamed into place, and
``stages.json`` is replaced atomically, so a reader sees a whole version or none. Serving
processes watch ``stages.json`` (its mtime) to hot-reload.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

VERSION_RE = re.compile(r"^v(\d{4,})$")


class RegistryError(RuntimeError):
    """A registry operation that cannot be done (unknown version, nothing to roll back to)."""


class CorruptArtifact(RegistryError):
    """An artifact that is missing, unreadable or does not match its recorded checksum."""


@dataclass(frozen=True)
class GateDecision:
    """Whether a candidate may replace production, and a sentence saying why."""

    promote: bool
    reason: str
    metric: str
    candidate: float
    production: float | None
    margin: float


def decide_promotion(
    metric: str, candidate: float, production: float | None, margin: float
) -> GateDecision:
    """Promote only if ``candidate >= production + margin`` (both on the same held-out data)."""
    if candidate != candidate:  # NaN
        return GateDecision(
            False, f"candidate {metric} is undefined", metric, candidate, production, margin
        )
    if production is None:
        return GateDecision(True, "no production model yet", metric, candidate, None, margin)
    ok = candidate >= production + margin
    verdict = "beats" if ok else "does not beat"
    reason = (
        f"candidate {metric}={candidate:.4f} {verdict} production {production:.4f} "
        f"+ margin {margin:.4f}"
    )
    return GateDecision(ok, reason, metric, candidate, production, margin)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, sort_keys=True, default=str)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class ModelRegistry:
    """Versions and stages of named models (``recs``, ``ranker``) under one directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # ---- versions ---------------------------------------------------------------------
    def names(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and p.name[0] != ".")

    def versions(self, name: str) -> list[str]:
        base = self.root / name
        if not base.exists():
            return []
        found = [p.name for p in base.iterdir() if p.is_dir() and VERSION_RE.match(p.name)]
        return sorted(found, key=lambda v: int(VERSION_RE.match(v).group(1)))

    def save(
        self,
        name: str,
        filename: str,
        write: Callable[[Path], None],
        *,
        params: dict[str, Any],
        metrics: dict[str, Any],
        snapshot: dict[str, Any],
        extra: dict[str, Any] | None = None,
    ) -> str:
        """Write a new version: ``write(path)`` writes the artifact; returns the version id."""
        base = self.root / name
        base.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=base, prefix=".new-"))
        try:
            write(tmp / filename)
            meta = {
                "name": name,
                "artifact": filename,
                "sha256": _sha256(tmp / filename),
                "params": params,
                "metrics": metrics,
                "snapshot": snapshot,
                "created": datetime.now(UTC).isoformat(),
                **(extra or {}),
            }
            for _ in range(100):
                existing = self.versions(name)
                n = int(VERSION_RE.match(existing[-1]).group(1)) + 1 if existing else 1
                version = f"v{n:04d}"
                meta["version"] = version
                _write_json_atomic(tmp / "meta.json", meta)
                try:
                    os.rename(tmp, base / version)
                    return version
                except OSError:  # another writer took this number; take the next one
                    continue
            raise RegistryError("could not allocate a version id")
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    def meta(self, name: str, version: str) -> dict[str, Any]:
        path = self.root / name / version / "meta.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise CorruptArtifact(f"{name} {version}: meta.json is missing") from exc
        except (OSError, ValueError) as exc:
            raise CorruptArtifact(f"{name} {version}: meta.json is unreadable: {exc}") from exc

    def update_meta(self, name: str, version: str, **fields: Any) -> None:
        meta = self.meta(name, version)
        meta.update(fields)
        _write_json_atomic(self.root / name / version / "meta.json", meta)

    def artifact(self, name: str, version: str) -> Path:
        """The verified artifact path; raises ``CorruptArtifact`` if missing or altered."""
        meta = self.meta(name, version)
        path = self.root / name / version / meta["artifact"]
        if not path.exists():
            raise CorruptArtifact(f"{name} {version}: artifact {path.name} is missing")
        if _sha256(path) != meta.get("sha256"):
            raise CorruptArtifact(f"{name} {version}: artifact {path.name} fails its checksum")
        return path

    # ---- stages -----------------------------------------------------------------------
    def pointer(self, name: str) -> Path:
        return self.root / name / "stages.json"

    def stages(self, name: str) -> dict[str, Any]:
        try:
            return json.loads(self.pointer(name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"production": None, "previous": None, "history": []}
        except (OSError, ValueError) as exc:
            raise CorruptArtifact(f"{name}: stages.json is unreadable: {exc}") from exc

    def production(self, name: str) -> str | None:
        return self.stages(name).get("production")

    def promote(self, name: str, version: str, reason: str = "") -> dict[str, Any]:
        """Make ``version`` production; the old production becomes ``previous``."""
        if version not in self.versions(name):
            raise RegistryError(f"{name} has no version {version}")
        self.artifact(name, version)  # refuse to point production at a broken artifact
        st = self.stages(name)
        if st.get("production") == version:
            return st
        history = [*st.get("history", []), version]
        st = {
            "production": version,
            "previous": st.get("production"),
            "history": history,
            "updated": datetime.now(UTC).isoformat(),
            "reason": reason,
        }
        _write_json_atomic(self.pointer(name), st)
        self.update_meta(name, version, promoted=st["updated"])
        return st

    def rollback(self, name: str) -> dict[str, Any]:
        """Production goes back to ``previous``; ``previous`` to the one promoted before it."""
        st = self.stages(name)
        prev = st.get("previous")
        if not prev:
            raise RegistryError(f"{name} has no previous version to roll back to")
        history = [v for v in st.get("history", []) if v != st.get("production")]
        before = [v for v in history if v != prev]
        st = {
            "production": prev,
            "previous": before[-1] if before else None,
            "history": history,
            "updated": datetime.now(UTC).isoformat(),
            "reason": f"rollback from {st.get('production')}",
        }
        _write_json_atomic(self.pointer(name), st)
        return st

    def listing(self, name: str) -> list[dict[str, Any]]:
        """Every version's metadata with its stage (for the CLI and the metrics plot)."""
        st = self.stages(name)
        rows = []
        for v in self.versions(name):
            try:
                meta = self.meta(name, v)
            except CorruptArtifact as exc:
                meta = {"version": v, "error": str(exc)}
            stage = (
                "production"
                if v == st.get("production")
                else "previous"
                if v == st.get("previous")
                else ""
            )
            rows.append({**meta, "stage": stage})
        return rows
