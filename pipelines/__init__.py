"""The Dagster code location, the main job, the workload simulator and the ``blueprint`` CLI."""
