"""Secrets generated on first use, kept under ``<data_dir>/secrets/`` (no built-in defaults).

A secret that is not configured is generated once, written to ``<data_dir>/secrets/<name>``
with mode 0600, and read back by every later call and every other process on the same data
directory. The file is created with ``O_CREAT | O_EXCL``, so when several processes start at
once exactly one of them writes it and the others read what it wrote.

    >>> key = secret(Path(".data"), "admin_api_key")  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
import re
import secrets as _random
import stat
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
# How long a reader waits for a concurrent writer that created the file but has not yet
# written it (one small write; this only bounds a pathological stall).
_WRITER_GRACE_S = 2.0


def secret_path(data_dir: Path, name: str) -> Path:
    """Where the secret ``name`` lives under ``data_dir``."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"secret name {name!r}: use lowercase letters, digits, '_' or '-'")
    return Path(data_dir) / "secrets" / name


def random_token() -> str:
    """256 random bits, URL-safe: the default secret."""
    return _random.token_urlsafe(32)


def secret(data_dir: Path, name: str, generate: Callable[[], str] = random_token) -> str:
    """The secret ``name`` of this data directory, made by ``generate`` on first use.

    Stable across calls and processes that share ``data_dir``; the file is mode 0600.
    """
    path = secret_path(data_dir, name)
    if not path.exists():
        _create(path, generate)
    return _read(path)


def _create(path: Path, generate: Callable[[], str]) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process got there first: read what it wrote
    try:
        os.write(fd, (generate().strip() + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    log.warning("generated secret %s at %s (mode 0600); read it from there", path.name, path)


def _read(path: Path) -> str:
    deadline = time.monotonic() + _WRITER_GRACE_S
    while True:
        value = path.read_text(encoding="ascii").strip()
        if value:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"secret file {path} is empty; delete it to generate a new one")
        time.sleep(0.01)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("secret %s is readable by others (mode %o); chmod 600 it", path, mode)
    return value
