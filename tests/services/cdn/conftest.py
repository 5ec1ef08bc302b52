"""Fixtures for the CDN tests: origins in-thread (countable), edges as real processes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from services.cdn.process import ServerProcess, start_edge
from tests.services.cdn import rfc_edge
from tests.services.cdn.helpers import ScriptedOrigin
from tests.services.cdn.rfc_origin import ConformanceOrigin
from warehouse.settings import Settings


@pytest.fixture(scope="module")
def cdn_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Module-wide settings (edges outlive one test's ``settings`` fixture)."""
    return Settings(data_dir=tmp_path_factory.mktemp("cdn-data"))


@pytest.fixture(scope="module")
def scripted() -> Iterator[ScriptedOrigin]:
    origin = ScriptedOrigin().start()
    yield origin
    origin.stop()


@pytest.fixture(scope="module")
def edge(scripted: ScriptedOrigin, cdn_settings: Settings) -> Iterator[ServerProcess]:
    with start_edge(scripted.url, name="edge-test", settings=cdn_settings) as proc:
        yield proc


@pytest.fixture(scope="module")
def origin() -> Iterator[ConformanceOrigin]:
    """The scripted conformance origin behind ``rfc_edge``'s edge."""
    server = ConformanceOrigin().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def conformance_client() -> Iterator[httpx.Client]:
    """``rfc_edge.CLIENT``, closed once the last conformance test has run."""
    yield rfc_edge.CLIENT
    rfc_edge.CLIENT.close()
