"""The message of a JSON or logfmt log line: its message field, or the fields that are not
header fields."""

from __future__ import annotations

import json
import re

from warehouse.logs.header_tokens import words
from warehouse.logs.value_spans import unpad_after_equals

# a value is double-quoted (logfmt), single-quoted (the Linux audit log's ``msg='...'``) or bare
_LOGFMT_PAIR = re.compile(r"""([\w.@\-]+)=("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\S*)""")
_MESSAGE_KEYS = ("message", "msg", "log", "text", "event", "MESSAGE", "Message", "short_message")
_HEADER_KEYS = words(
    "time ts timestamp @timestamp date datetime level lvl severity loglevel log_level logger "
    "caller pid tid host hostname thread component source service app module"
)


def structured_message(line: str) -> str | None:
    """Message of a JSON or logfmt line, or None when the line is neither."""
    s = line.strip()
    if s.startswith("{") and s.endswith("}"):
        try:
            obj = json.loads(s)
        except ValueError:
            return None
        if not isinstance(obj, dict):
            return None
        for key in _MESSAGE_KEYS:
            if isinstance(obj.get(key), str):
                return obj[key]
        rest = [f"{k}={v}" for k, v in obj.items() if k.lower() not in _HEADER_KEYS]
        return " ".join(rest)
    if "=" in s and _LOGFMT_PAIR.match(s):
        s = unpad_after_equals(s)  # ``frame=  12`` is one pair, as ``frame=1234`` is
        pairs = _LOGFMT_PAIR.findall(s)
        covered = sum(len(k) + 1 + len(v) for k, v in pairs)
        if len(pairs) >= 2 and covered >= 0.8 * len(s.replace(" ", "")):
            keys = {k.lower(): v for k, v in pairs}
            msg = next((keys[k] for k in ("msg", "message") if k in keys), None)
            rest = [f"{k}={v}" for k, v in pairs if k.lower() not in _HEADER_KEYS]
            rest = [p for p in rest if not p.lower().startswith(("msg=", "message="))]
            if msg is not None and len(msg) >= 2 and msg[0] == msg[-1] and msg[0] in "\"'":
                msg = msg[1:-1]
            parts = ([msg] if msg is not None else []) + rest
            return " ".join(parts)
    return None
