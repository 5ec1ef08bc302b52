"""Notifications (system 12): send and schedule, email/SMS/push/inbox, preferences, quiet
hours, localised templates, a durable leased queue with retries and a dead-letter queue,
idempotency, digests, provider callbacks. ``api`` is the HTTP face; the rest is plain Python.
"""
