"""Shared fixtures: every test gets its own data directory, emitter and app."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# No test touches the developer's real data directory (its generated secrets included):
# settings built outside the ``settings`` fixture land in this session's own directory.
_SESSION_ROOT = Path(tempfile.mkdtemp(prefix="blueprint-tests-"))
atexit.register(shutil.rmtree, _SESSION_ROOT, ignore_errors=True)
os.environ["BLUEPRINT_DATA_DIR"] = str(_SESSION_ROOT / "data")
os.environ.pop("BLUEPRINT_ADMIN_API_KEY", None)

from warehouse.emitter import Emitter, SpoolTransport  # noqa: E402
from warehouse.settings import Settings, get_settings  # noqa: E402

SHARED_DATA = Path(
    os.environ.get("BLUEPRINT_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings rooted in a temporary data directory, also visible through ``get_settings``."""
    monkeypatch.setenv("BLUEPRINT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BLUEPRINT_RATE_LIMIT_PER_MINUTE", "100000")
    get_settings.cache_clear()
    s = get_settings()
    yield s
    get_settings.cache_clear()


@pytest.fixture
def emitter(settings: Settings) -> Iterator[Emitter]:
    em = Emitter(SpoolTransport(settings))
    yield em
    em.close()


@pytest.fixture
def client(settings: Settings, emitter: Emitter):
    """A TestClient on the full app, with its own data directory."""
    from fastapi.testclient import TestClient

    from services.app import create_app

    with TestClient(create_app(settings, emitter)) as c:
        yield c


@pytest.fixture
def admin_headers(settings: Settings) -> dict[str, str]:
    return {"X-API-Key": settings.admin_api_key}


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextmanager
def serve_platform(app, settings: Settings) -> Iterator[int]:
    """``app`` behind ``server_config`` (what ``blueprint serve`` runs) on a free loopback port,
    from a daemon thread, until the block ends; yields the port once it listens."""
    import threading
    import time

    import uvicorn

    from services.server import server_config

    port = free_port()
    config = server_config(app, settings, host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=5)


def require_binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (make tools installs it when root)")
    return path


def server_reachable(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL on a schema of its own (dropped afterwards), or a skip that says why
    PostgreSQL is not usable here."""
    import uuid

    from sqlalchemy import create_engine, text

    if not server_reachable("127.0.0.1", 5432):
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - e.g. no such role or database here
        pytest.skip(f"PostgreSQL not usable: {exc}")
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def pg_settings(settings: Settings, pg_url: str) -> Settings:
    """The test's settings on a PostgreSQL schema of its own (``pg_url``)."""
    return settings.model_copy(update={"database_url": pg_url})
