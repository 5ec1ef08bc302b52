"""The notification system's domain errors (each a ``services.errors.DomainError``).

Bad preferences and templates raise ``preferences.PreferenceError`` and
``templates.TemplateError``, both ``Invalid`` (422).
"""

from __future__ import annotations

from services.errors import BadRequest, Conflict, DomainError, NotFound


class UnknownUser(NotFound):
    """No notification profile for this user (register it first)."""


class IdempotencyConflict(Conflict):
    """An ``Idempotency-Key`` reused with a different request."""


class BadSignature(DomainError):
    """A provider callback whose HMAC signature is missing or wrong (401)."""

    status = 401


class BadHeader(BadRequest):
    """A request header the service cannot use (400)."""


class BadIdempotencyKey(BadRequest):
    """An ``Idempotency-Key`` that is empty, too long or not printable ASCII (400)."""
