"""The code location: every system's assets and automation, merged, with shared resources."""

import dagster as dg

from assets.resources import PlatformResource
from pipelines.discovery import submodules


def build_definitions() -> dg.Definitions:
    parts = [m.defs for m in submodules("assets", "defs")]
    parts += [m.defs for m in submodules("pipelines.automation", "defs")]
    merged = dg.Definitions.merge(*parts)
    return dg.Definitions.merge(merged, dg.Definitions(resources={"platform": PlatformResource()}))


defs = build_definitions()
