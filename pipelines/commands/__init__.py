"""``blueprint`` sub-command groups, one module per system, each exporting ``cli``."""
