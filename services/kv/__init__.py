"""The distributed key-value store (system 11). Its hot modules may be compiled: ``native``."""

from services.kv import native as _native

_native.activate(__path__)
