"""The file system's own domain errors (the platform's common ones live in services.errors)."""

from __future__ import annotations

from services.errors import BadRequest, DomainError, Invalid


class BadName(BadRequest):
    """A path or name that breaks a naming rule (400, the rule in the message)."""


class ChunkMismatch(Invalid):
    """Chunk bytes whose SHA-256 is not the hash they were sent under (422, nothing stored)."""


class ChunkCorrupt(DomainError):
    """A stored chunk that no longer matches its hash: storage damage, never the client's
    fault (500, and the read stops rather than serve wrong bytes)."""

    status = 500


class InsufficientStorage(DomainError):
    """A write that would take the user past their quota (507, with the numbers)."""

    status = 507


class RangeNotSatisfiable(DomainError):
    """A Range outside the file (416 with ``Content-Range: bytes */size``)."""

    status = 416
