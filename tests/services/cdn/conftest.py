"""Fixtures for the CDN tests: origins in-thread (countable), edges as real processes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.cdn.process import ServerProcess, start_edge
from tests.services.cdn.helpers import ScriptedOrigin
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
