"""Domain errors: what went wrong, said so a person can act on it, with its HTTP status.

Domain code raises these and knows nothing of HTTP; the app turns every one into an RFC 9457
problem document in one place (``services.problems``). Routers never catch them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping


class DomainError(Exception):
    """A failure the caller can fix or wait out; ``status`` is the HTTP status it maps to."""

    status: int = 400

    def __init__(self, message: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})


class BadRequest(DomainError):
    """A request the service cannot read at all: a malformed header, body or cursor (400)."""

    status = 400


class Invalid(DomainError, ValueError):
    """The input breaks a rule of the domain (422)."""

    status = 422


class Unauthorized(DomainError):
    status = 401

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(DomainError):
    """The caller may not touch what it asked for (403)."""

    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The request clashes with what is stored (409)."""

    status = 409


class Gone(DomainError):
    status = 410


class PreconditionFailed(DomainError):
    status = 412


class TooLarge(DomainError):
    status = 413


class Unsupported(DomainError):
    """A media type or format the service does not accept (415)."""

    status = 415


class RateLimited(DomainError):
    """Too many requests; ``Retry-After`` says when to come back (429)."""

    status = 429

    def __init__(self, message: str, retry_after_s: float) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(message, headers={"Retry-After": str(max(1, math.ceil(retry_after_s)))})


class Unavailable(DomainError):
    status = 503
