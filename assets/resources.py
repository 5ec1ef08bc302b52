"""Resources every asset shares: the platform's settings and lake, and each system's service.

One interface, interchangeable versions, as in Dagster's own examples: the live resources point
at the configured data directory; tests build them on a temporary directory, or hand
``SystemResource`` a service they built themselves (a fixed clock, a fake provider).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg
import httpx
from pydantic import PrivateAttr

from warehouse.emitter import Emitter, get_emitter
from warehouse.lake import Lake
from warehouse.settings import Settings, get_settings


class PlatformResource(dg.ConfigurableResource):
    """Where the platform's state lives. Empty ``data_dir`` means the environment's setting."""

    data_dir: str = ""

    def settings(self) -> Settings:
        if not self.data_dir:
            return get_settings()
        return get_settings().model_copy(update={"data_dir": Path(self.data_dir)})

    def lake(self) -> Lake:
        return Lake(self.settings().lake_dir)

    def emitter(self) -> Emitter:
        """The process's emitter (one spool source per process)."""
        return get_emitter(self.settings())


class SystemResource(dg.ConfigurableResource):
    """One system's service, built by its composition root (``services/<id>/system.py``).

    The service is built on first use within a run and closed when the run's step ends, so an
    asset gets the same store, cache tier and clock that the API uses.
    """

    system: str
    data_dir: str = ""
    _service: Any = PrivateAttr(default=None)
    _built: dict[str, Any] | None = PrivateAttr(default=None)  # with the services it needs
    _emitter: Emitter | None = PrivateAttr(default=None)

    @classmethod
    def with_service(cls, system: str, service: Any) -> dg.ResourceDefinition:
        """A fixture version that hands out ``service`` (built by a test) as it is.

        Hard-coded, so Dagster passes this very object rather than a copy rebuilt from config.
        """
        resource = cls(system=system)
        resource._service = service
        return dg.ResourceDefinition.hardcoded_resource(resource)

    def platform(self) -> PlatformResource:
        return PlatformResource(data_dir=self.data_dir)

    def service(self) -> Any:
        if self._service is None:
            from services.compose import build_services

            platform = self.platform()
            self._emitter = platform.emitter()
            self._built = build_services(platform.settings(), self._emitter, [self.system])
            self._service = self._built[self.system]
        return self._service

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._built is None:
            return  # a fixture's service belongs to the test that built it
        from services.compose import close_services

        close_services(self._built)
        self._emitter.flush()
        self._built = self._service = None


class HttpResource(dg.ConfigurableResource):
    """The HTTP client assets reach other hosts with (link health, say).

    Live, it is a plain httpx client that ignores proxy variables; the fixture version routes
    every request to a transport a test provides (``httpx.MockTransport``), so no test
    reaches a host it did not start.
    """

    timeout_s: float = 5.0
    _transport: Any = PrivateAttr(default=None)

    @classmethod
    def with_transport(cls, transport: Any) -> dg.ResourceDefinition:
        resource = cls()
        resource._transport = transport
        return dg.ResourceDefinition.hardcoded_resource(resource)

    def client(self, timeout_s: float | None = None) -> httpx.Client:
        return httpx.Client(
            timeout=timeout_s or self.timeout_s, trust_env=False, transport=self._transport
        )


def live_resources() -> dict[str, dg.ConfigurableResource]:
    """The live resources: the platform, HTTP, and each built system's service under its id."""
    from warehouse.systems import built

    found: dict[str, dg.ConfigurableResource] = {
        "platform": PlatformResource(),
        "http": HttpResource(),
    }
    found.update({s.id: SystemResource(system=s.id) for s in built()})
    return found
