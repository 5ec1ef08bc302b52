"""Checks of what clients send: ids, message bodies (plaintext or ciphertext) and sizes.

Bad input is a ``DomainError`` with a message a person can act on; the WebSocket turns it
into an ``error`` frame and HTTP into a problem document.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

import orjson

from services.errors import Invalid, TooLarge

CLIENT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
DEVICE_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
CONV_ID = re.compile(r"[a-f0-9]{32}")
ALG = re.compile(r"[A-Za-z0-9_.:-]{1,32}")
MAX_ATTACHMENTS = 10
MAX_PATH = 1024  # an attachment's path in the sender's files


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text (a NUL or a lone surrogate), or None."""
    if "\x00" in value:
        return "text may not contain NUL characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "text must be valid Unicode (no lone surrogates)"
    return None


def check_client_id(value: Any) -> str:
    if not isinstance(value, str) or not CLIENT_ID.fullmatch(value):
        raise Invalid("client_id must be 1-64 characters of A-Z a-z 0-9 _ . : -")
    return value


def check_device_id(value: Any) -> str:
    if not isinstance(value, str) or not DEVICE_ID.fullmatch(value):
        raise Invalid("device must be 1-64 characters of A-Z a-z 0-9 _ . -")
    return value


def check_conv_id(value: Any) -> str:
    if not isinstance(value, str) or not CONV_ID.fullmatch(value):
        raise Invalid("conv must be a conversation id (32 lowercase hex digits)")
    return value


def check_seq(value: Any, name: str = "seq") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**53:
        raise Invalid(f"{name} must be a non-negative integer")
    return value


def encode(value: Any) -> bytes:
    """``value`` as JSON; ``Invalid`` for what JSON cannot carry (lone surrogates, say)."""
    try:
        return orjson.dumps(value)
    except TypeError as exc:  # orjson.JSONEncodeError is a TypeError
        raise Invalid(f"not encodable as JSON text: {exc}") from exc


def _base64(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise Invalid(f"{name} must be a non-empty base64 string")
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Invalid(f"{name} is not valid base64") from exc
    return value


def check_body(body: Any, *, encrypted: bool, cap: int) -> dict[str, Any]:
    """A message body: ``{"text", "attachments"?}`` in a plaintext conversation,
    ``{"ciphertext", "alg", "session"?, "index"?, "attachments"?}`` in an encrypted one (the server
    refuses plaintext there, so a client bug cannot leak it). At most ``cap`` bytes."""
    if not isinstance(body, dict):
        raise Invalid("body must be a JSON object")
    size = len(encode(body))
    if size > cap:
        raise TooLarge(f"message body is {size} bytes; the cap is {cap}")
    out: dict[str, Any] = {}
    if encrypted:
        extra = set(body) - {"ciphertext", "alg", "session", "index", "attachments"}
        if extra:
            raise Invalid(
                f"an encrypted conversation takes ciphertext only; unexpected {sorted(extra)}"
            )
        out["ciphertext"] = _base64(body.get("ciphertext"), "ciphertext")
        alg = body.get("alg")
        if not isinstance(alg, str) or not ALG.fullmatch(alg):
            raise Invalid("alg must name the cipher (1-32 characters of A-Z a-z 0-9 _ . : -)")
        out["alg"] = alg
        if "session" in body:
            session = body["session"]
            if not isinstance(session, str) or not CLIENT_ID.fullmatch(session):
                raise Invalid("session must be 1-64 characters of A-Z a-z 0-9 _ . : -")
            out["session"] = session
        if "index" in body:  # the step of a ratcheted session
            index = body["index"]
            if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < 2**53:
                raise Invalid("index must be a non-negative integer (a ratchet step)")
            out["index"] = index
    else:
        extra = set(body) - {"text", "attachments"}
        if extra:
            raise Invalid(f"unexpected fields in body: {sorted(extra)}")
        text = body.get("text")
        if not isinstance(text, str) or not text:
            raise Invalid("body.text must be a non-empty string")
        problem = text_problem(text)
        if problem:
            raise Invalid(problem)
        out["text"] = text
    if "attachments" in body:
        files = body["attachments"]
        if (
            not isinstance(files, list)
            or len(files) > MAX_ATTACHMENTS
            or not all(isinstance(f, str) and 0 < len(f) <= MAX_PATH for f in files)
            or len(set(files)) != len(files)
        ):
            raise Invalid(
                f"attachments must be a list of at most {MAX_ATTACHMENTS} distinct paths of "
                "your files"
            )
        out["attachments"] = files
    return out
