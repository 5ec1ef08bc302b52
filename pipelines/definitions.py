"""The code location: every system's assets and automation, merged, with shared resources."""

import dagster as dg

from assets.resources import PlatformResource, SystemResource
from pipelines.discovery import submodules
from warehouse.settings import get_settings
from warehouse.systems import built


def resources() -> dict[str, dg.ConfigurableResource]:
    """The live resources: the platform, and each built system's service under its id."""
    found: dict[str, dg.ConfigurableResource] = {"platform": PlatformResource()}
    found.update({s.id: SystemResource(system=s.id) for s in built()})
    return found


def build_definitions() -> dg.Definitions:
    parts = [m.defs for m in submodules("assets", "defs")]
    parts += [m.defs for m in submodules("pipelines.automation", "defs")]
    merged = dg.Definitions.merge(*parts)
    # Scaled out (a PostgreSQL instance), a run's steps run in parallel processes; the local
    # SQLite instance keeps Dagster's default.
    executor = dg.multiprocess_executor if get_settings().dagster_pg_url else None
    return dg.Definitions.merge(merged, dg.Definitions(resources=resources(), executor=executor))


defs = build_definitions()
