"""Distributed logging (system 14): collectors, processors, template mining, storage, alerts."""
