"""The logging system's HTTP API: ingest, search and read-only SQL."""
