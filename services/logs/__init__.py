"""Distributed logging (system 14) as a service: composition root, settings, router.

The log domain (parsers, template mining, handler, tail agent, alert rules, compaction) is
in ``warehouse.logs``; ``services.logs.system.build`` puts it to work."""
