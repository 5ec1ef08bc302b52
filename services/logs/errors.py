"""The logging system's own domain errors (the shared ones live in ``services.errors``)."""

from __future__ import annotations

from services.errors import BadRequest


class MalformedBatch(BadRequest):
    """An ingest body that cannot be read as JSON, NDJSON or UTF-8 text lines (400)."""


class QueryRejected(BadRequest):
    """SQL the service will not run: not one SELECT, reaching outside the lake, or failing (400)."""
