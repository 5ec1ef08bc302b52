"""The naming rules of a user's tree. Every path that reaches storage passes through here.

A path is relative to the user's root, components separated by ``/``, in Unicode NFC (so the
NFD names macOS clients send do not make twins). Each rule broken answers 400 naming the rule:
empty components, ``.`` and ``..``, an absolute path, NUL and other control characters, lone
surrogates, a component over 255 bytes of UTF-8, a path over 4096 bytes, and names that common
file systems reserve (Windows device names such as ``CON`` or ``lpt1.txt``, and names ending in
a dot or a space). Paths are only ever keys in the store, never file system paths, so nothing
can be written outside the user's tree even if a rule were missed; the rules keep the names
portable to the clients that sync them.
"""

from __future__ import annotations

import re
import unicodedata

from services.files.errors import BadName

MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 4096
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_RESERVED = re.compile(r"\A(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?\Z", re.IGNORECASE)


def check_component(name: str) -> str:
    """One name (no ``/``), NFC-normalised, or :class:`BadName` with the rule it breaks."""
    if _SURROGATE.search(name):
        raise BadName("names must be valid Unicode (no lone surrogates)")
    name = unicodedata.normalize("NFC", name)
    if name == "":
        raise BadName("names must not be empty (no '//' in a path)")
    if name in (".", ".."):
        raise BadName("'.' and '..' are not allowed as names")
    if "/" in name or "\\" in name:
        raise BadName("names must not contain '/' or '\\'")
    if _CONTROL.search(name):
        raise BadName("names must not contain NUL or other control characters")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise BadName(f"names must be at most {MAX_NAME_BYTES} bytes of UTF-8")
    if _RESERVED.match(name):
        raise BadName(f"{name!r} is a reserved device name on Windows")
    if name[-1] in ". ":
        raise BadName("names must not end with a dot or a space")
    return name


def normalize(path: str, *, allow_root: bool = False) -> str:
    """A path relative to the user's root (``a/b/c``). One trailing ``/`` is dropped; a
    leading ``/`` is an absolute path (400). ``""`` is the root, allowed only when asked."""
    if path.startswith("/"):
        raise BadName("paths are relative to your root: no leading '/'")
    if path.endswith("/"):
        path = path[:-1]
    if path == "":
        if allow_root:
            return ""
        raise BadName("a path is required (the root itself cannot be used here)")
    parts = [check_component(p) for p in path.split("/")]
    out = "/".join(parts)
    if len(out.encode("utf-8")) > MAX_PATH_BYTES:
        raise BadName(f"paths must be at most {MAX_PATH_BYTES} bytes of UTF-8")
    return out


def parent_of(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def name_of(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def join(parent: str, name: str) -> str:
    return f"{parent}/{name}" if parent else name


def conflict_name(path: str, device: str, when: str) -> str:
    """``dir/report (conflict laptop 2026-12-04 201500).txt``: where a losing sync client's
    version goes, so it is never silently overwritten."""
    device = re.sub(r"[^\w.-]+", "-", device)[:40] or "device"
    parent, name = parent_of(path), name_of(path)
    stem, dot, ext = name.rpartition(".")
    if not stem:  # no extension (or a dot file such as .bashrc)
        stem, dot, ext = name, "", ""
    tag = f" (conflict {device} {when})"
    budget = MAX_NAME_BYTES - len(f"{tag}{dot}{ext}".encode())
    stem = stem.encode("utf-8")[: max(budget, 1)].decode("utf-8", "ignore")
    return join(parent, f"{stem}{tag}{dot}{ext}")
