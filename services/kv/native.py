"""The node's hot modules compiled by mypyc, used when a build of the current sources exists.

A node's per-request work (versions, replica puts, the write-ahead log, peer batches, the
client connection) is plain, type-annotated Python. ``make setup`` compiles those modules
(``MODULES``) with mypyc, the compiler mypy ships, into ``build/kv-native``
(``scripts/build_kv_native.py``); the package puts that directory first on its path, so
``services.kv.versions`` imports the compiled module and every other module the source.

A build is used only while the digest it recorded matches the sources and interpreter now, so
an edited module is never shadowed by a stale build. Without a C compiler there is no build
and the sources serve, with the same behaviour. ``BLUEPRINT_KV_NATIVE=0`` turns it off.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

MODULES = (
    "versions",
    "blob_check",
    "wal_frames",
    "ring",
    "replica",
    "peers",
    "wal",
    "batching",
    "run_state",
    "runs",
    "connection",
)
HERE = Path(__file__).resolve().parent
BUILD_DIR = HERE.parents[1] / "build" / "kv-native"
DIGEST_FILE = "DIGEST"


def source_digest() -> str:
    """What a build is of: the compiled modules' sources and the interpreter."""
    h = hashlib.blake2b(digest_size=16)
    h.update(sys.version.encode())
    for name in MODULES:
        h.update((HERE / f"{name}.py").read_bytes())
    return h.hexdigest()


def built() -> bool:
    """Whether ``BUILD_DIR`` holds a build of the current sources."""
    try:
        recorded = (BUILD_DIR / DIGEST_FILE).read_text(encoding="ascii").strip()
    except OSError:
        return False
    return recorded == source_digest()


def wanted() -> bool:
    """Whether a process started now runs the compiled modules: current and not turned off."""
    return os.environ.get("BLUEPRINT_KV_NATIVE", "1") != "0" and built()


def activate(package_path: list[str]) -> bool:
    """Put the build first on ``package_path`` (the package's ``__path__``) when ``wanted``;
    True if it is now used."""
    if not wanted():
        return False
    package_path.insert(0, str(BUILD_DIR / "services" / "kv"))
    if str(BUILD_DIR) not in sys.path:
        sys.path.append(str(BUILD_DIR))  # the runtime library the compiled modules share
    return True
