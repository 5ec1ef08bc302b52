"""The code location: the lake's and every built system's assets, their automation, and the
resources they share."""

import importlib

import dagster as dg

from assets.facts import describe_assets
from assets.resources import live_resources
from pipelines.discovery import submodules
from warehouse.settings import get_settings
from warehouse.systems import built

# Asset modules that belong to the platform rather than to one system.
PLATFORM_ASSETS = ("lake",)


def build_definitions() -> dg.Definitions:
    names = [*PLATFORM_ASSETS, *(s.id for s in built())]
    modules = [importlib.import_module(f"assets.{name}") for name in names]
    # Owners, code versions and column schemas, the same way for every system.
    parts = [describe_assets(module.defs, module) for module in modules]
    parts += [m.defs for m in submodules("pipelines.automation", "defs")]
    # One sensor evaluates every asset's AutomationCondition, so a running daemon keeps the
    # whole graph fresh without the main job.
    freshness = dg.AutomationConditionSensorDefinition(
        "keep_assets_fresh",
        target=dg.AssetSelection.all(),
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=60,
    )
    parts.append(dg.Definitions(sensors=[freshness]))
    merged = dg.Definitions.merge(*parts)
    # Scaled out (a PostgreSQL instance), a run's steps run in parallel processes; the local
    # SQLite instance keeps Dagster's default.
    executor = dg.multiprocess_executor if get_settings().dagster_pg_url else None
    return dg.Definitions.merge(
        merged, dg.Definitions(resources=live_resources(), executor=executor)
    )


defs = build_definitions()
