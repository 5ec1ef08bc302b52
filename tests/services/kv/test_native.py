"""The compiled hot modules: used only while current, never in place of edited sources, and the
sources alone still serve."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from services.kv import native

ROOT = Path(__file__).resolve().parents[3]


def _fake_build(tmp_path: Path, digest: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / native.DIGEST_FILE).write_text(digest + "\n", encoding="ascii")
    monkeypatch.setattr(native, "BUILD_DIR", tmp_path)
    monkeypatch.delenv("BLUEPRINT_KV_NATIVE", raising=False)
    return tmp_path


def test_a_build_of_the_current_sources_goes_first_on_the_package_path(tmp_path, monkeypatch):
    build = _fake_build(tmp_path, native.source_digest(), monkeypatch)
    monkeypatch.setattr(sys, "path", list(sys.path))
    path = ["/src/services/kv"]
    assert native.activate(path)
    assert path == [str(build / "services" / "kv"), "/src/services/kv"]
    assert str(build) in sys.path


def test_a_stale_build_never_shadows_the_sources(tmp_path, monkeypatch):
    _fake_build(tmp_path, "0" * 32, monkeypatch)
    path = ["/src/services/kv"]
    assert not native.activate(path)
    assert path == ["/src/services/kv"]


def test_the_digest_changes_with_any_compiled_module(tmp_path, monkeypatch):
    for name in native.MODULES:
        (tmp_path / f"{name}.py").write_text("x = 1\n")
    monkeypatch.setattr(native, "HERE", tmp_path)
    before = native.source_digest()
    (tmp_path / f"{native.MODULES[-1]}.py").write_text("x = 2\n")
    assert native.source_digest() != before


def test_the_environment_can_turn_the_build_off(tmp_path, monkeypatch):
    _fake_build(tmp_path, native.source_digest(), monkeypatch)
    monkeypatch.setenv("BLUEPRINT_KV_NATIVE", "0")
    path = ["/src/services/kv"]
    assert not native.activate(path)
    assert path == ["/src/services/kv"]


def test_the_compiled_modules_are_the_ones_imported_when_built():
    if not native.wanted():
        pytest.skip("no current build of the compiled modules (no C compiler, or not built)")
    import services.kv.replica as replica
    import services.kv.versions as versions

    for module in (versions, replica):
        assert Path(module.__file__).suffix == ".so", module.__file__


def test_the_sources_alone_pass_the_version_and_log_tests():
    """A machine without a compiler runs the sources: their unit tests pass there too."""
    env = {**os.environ, "BLUEPRINT_KV_NATIVE": "0"}
    probe = "import services.kv.versions as v; print(v.__file__)"
    shown = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert shown.stdout.strip().endswith("versions.py"), shown.stderr
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/services/kv/test_replica.py",
            "tests/services/kv/test_durability.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:]
