"""Schedules, sensors and jobs, one module per system, each exporting ``defs``."""
