"""Dagster asset definitions and checks, one module per system. Thin: they call the rooms.

A system plugs in by providing ``assets/<system>.py`` (or a package) with a module-level
``defs = dg.Definitions(assets=[...], asset_checks=[...])``; ``pipelines.definitions`` finds
and merges it.
"""
