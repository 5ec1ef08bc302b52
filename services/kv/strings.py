"""String commands, following Redis 7.0's t_string.c reply for reply and error for error.

``INCRBYFLOAT`` computes in x87 long double through numpy and prints with ``%.17Lf`` trimmed,
as Redis does, so its results agree digit for digit.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from services.kv.commands import (
    LLONG_MAX,
    LLONG_MIN,
    NOT_FLOAT,
    SYNTAX,
    command,
    parse_int,
    wrong_arity,
)
from services.kv.resp import OK, Error

_MAX_FLOAT_CHARS = 5 * 1024
# What strtold consumes whole: decimal or hex floats, inf/infinity (nan is refused after).
_STRTOLD = re.compile(
    r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*"
    r"|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)"
)


def max_len(conn: Any) -> int:
    return conn.config.proto_max_bulk_len


def check_length(conn: Any, total: int) -> None:
    if total > max_len(conn):
        raise Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")


def invalid_expire(name: str) -> Error:
    return Error(f"ERR invalid expire time in '{name}' command")


def expire_at(ks: Any, raw: bytes, unit_ms: int, absolute: bool, name: str) -> int:
    """Redis's ``getExpireMillisecondsOrReply``: a positive count of seconds or ms, to an
    absolute time in ms."""
    value = parse_int(raw)
    if value <= 0 or (unit_ms == 1000 and value > LLONG_MAX // 1000):
        raise invalid_expire(name)
    value *= unit_ms
    if not absolute:
        now = ks.now_ms()
        if value > LLONG_MAX - now:
            raise invalid_expire(name)
        value += now
    return value


_UNITS = {b"ex": (1000, False), b"px": (1, False), b"exat": (1000, True), b"pxat": (1, True)}


def parse_set_options(args: list[bytes], start: int, for_set: bool) -> tuple[set[str], Any]:
    """Redis's ``parseExtendedStringArgumentsOrReply`` (for SET, or for GETEX)."""
    flags: set[str] = set()
    expire: tuple[bytes, bytes] | None = None
    j = start
    while j < len(args):
        opt = args[j].lower()
        has_next = j + 1 < len(args)
        if opt == b"nx" and "xx" not in flags and for_set:
            flags.add("nx")
        elif opt == b"xx" and "nx" not in flags and for_set:
            flags.add("xx")
        elif opt == b"get" and for_set:
            flags.add("get")
        elif opt == b"keepttl" and for_set and "persist" not in flags and expire is None:
            flags.add("keepttl")
        elif opt == b"persist" and not for_set and expire is None and "keepttl" not in flags:
            flags.add("persist")
        elif (
            opt in _UNITS
            and has_next
            and not flags & {"keepttl", "persist"}
            and (expire is None or expire[0] == opt)
        ):
            expire = (opt, args[j + 1])
            j += 1
        else:
            raise SYNTAX
        j += 1
    return flags, expire


@command("get", 2, "readonly fast", 1, 1, 1)
def get(ks: Any, args: list[bytes], conn: Any) -> Any:
    return ks.lookup(args[1])


@command("set", -3, "write", 1, 1, 1)
def set_(ks: Any, args: list[bytes], conn: Any) -> Any:
    key, value = args[1], args[2]
    if len(args) == 3:
        ks.store(key, value, None)
        return OK
    flags, expire = parse_set_options(args, 3, for_set=True)
    when = None
    if expire is not None:
        unit, absolute = _UNITS[expire[0]]
        when = expire_at(ks, expire[1], unit, absolute, "set")
    old = ks.lookup(key)
    if ("nx" in flags and old is not None) or ("xx" in flags and old is None):
        return old if "get" in flags else None
    if "keepttl" in flags and old is not None:
        when = ks.get_expire(key)
    ks.store(key, value, when)
    return old if "get" in flags else OK


@command("setnx", 3, "write fast", 1, 1, 1)
def setnx(ks: Any, args: list[bytes], conn: Any) -> Any:
    if ks.lookup(args[1]) is not None:
        return 0
    ks.store(args[1], args[2], None)
    return 1


def _setex(ks: Any, args: list[bytes], unit: int, name: str) -> Any:
    when = expire_at(ks, args[2], unit, False, name)
    ks.store(args[1], args[3], when)
    return OK


@command("setex", 4, "write", 1, 1, 1)
def setex(ks: Any, args: list[bytes], conn: Any) -> Any:
    return _setex(ks, args, 1000, "setex")


@command("psetex", 4, "write", 1, 1, 1)
def psetex(ks: Any, args: list[bytes], conn: Any) -> Any:
    return _setex(ks, args, 1, "psetex")


@command("getset", 3, "write fast", 1, 1, 1)
def getset(ks: Any, args: list[bytes], conn: Any) -> Any:
    old = ks.lookup(args[1])
    ks.store(args[1], args[2], None)
    return old


@command("getdel", 2, "write fast", 1, 1, 1)
def getdel(ks: Any, args: list[bytes], conn: Any) -> Any:
    old = ks.lookup(args[1])
    if old is not None:
        ks.delete(args[1])
    return old


@command("getex", -2, "write fast", 1, 1, 1)
def getex(ks: Any, args: list[bytes], conn: Any) -> Any:
    flags, expire = parse_set_options(args, 2, for_set=False)
    key = args[1]
    value = ks.lookup(key)
    if value is None:
        return None
    if expire is not None:
        unit, absolute = _UNITS[expire[0]]
        when = expire_at(ks, expire[1], unit, absolute, "getex")
        if absolute and when <= ks.now_ms():
            ks.delete(key)
        else:
            ks.set_expire(key, when)
    elif "persist" in flags and ks.get_expire(key) is not None:
        ks.set_expire(key, None)
    return value


@command("mget", -2, "readonly fast", 1, -1, 1)
def mget(ks: Any, args: list[bytes], conn: Any) -> Any:
    return [ks.lookup(k) for k in args[1:]]


@command("mset", -3, "write", 1, -1, 2)
def mset(ks: Any, args: list[bytes], conn: Any) -> Any:
    if len(args) % 2 == 0:
        raise wrong_arity("mset")
    for i in range(1, len(args), 2):
        ks.store(args[i], args[i + 1], None)
    return OK


@command("msetnx", -3, "write", 1, -1, 2)
def msetnx(ks: Any, args: list[bytes], conn: Any) -> Any:
    if len(args) % 2 == 0:
        raise wrong_arity("msetnx")
    if any(ks.lookup(args[i]) is not None for i in range(1, len(args), 2)):
        return 0
    for i in range(1, len(args), 2):
        ks.store(args[i], args[i + 1], None)
    return 1


@command("append", 3, "write fast", 1, 1, 1)
def append(ks: Any, args: list[bytes], conn: Any) -> Any:
    key = args[1]
    old = ks.lookup(key)
    if old is None:
        ks.store(key, args[2], None)
        return len(args[2])
    check_length(conn, len(old) + len(args[2]))
    new = old + args[2]
    ks.store(key, new, ks.get_expire(key))
    return len(new)


@command("strlen", 2, "readonly fast", 1, 1, 1)
def strlen(ks: Any, args: list[bytes], conn: Any) -> Any:
    value = ks.lookup(args[1])
    return 0 if value is None else len(value)


@command("getrange", 4, "readonly", 1, 1, 1)
def getrange(ks: Any, args: list[bytes], conn: Any) -> Any:
    start, end = parse_int(args[2]), parse_int(args[3])
    value = ks.lookup(args[1])
    if value is None:
        return b""
    n = len(value)
    if start < 0 and end < 0 and start > end:
        return b""
    if start < 0:
        start = n + start
    if end < 0:
        end = n + end
    start, end = max(start, 0), max(end, 0)
    if end >= n:
        end = n - 1
    if start > end or n == 0:
        return b""
    return value[start : end + 1]


@command("setrange", 4, "write", 1, 1, 1)
def setrange(ks: Any, args: list[bytes], conn: Any) -> Any:
    key, piece = args[1], args[3]
    offset = parse_int(args[2])
    if offset < 0:
        raise Error("ERR offset is out of range")
    old = ks.lookup(key)
    if old is None:
        if not piece:
            return 0
        check_length(conn, offset + len(piece))
        ks.store(key, b"\x00" * offset + piece, None)
        return offset + len(piece)
    if not piece:
        return len(old)
    check_length(conn, offset + len(piece))
    base = old.ljust(offset, b"\x00") if len(old) < offset else old
    new = base[:offset] + piece + base[offset + len(piece) :]
    ks.store(key, new, ks.get_expire(key))
    return len(new)


def _incr(ks: Any, key: bytes, by: int) -> int:
    old = ks.lookup(key)
    value = 0 if old is None else parse_int(old)
    if (by < 0 and value < 0 and by < LLONG_MIN - value) or (
        by > 0 and value > 0 and by > LLONG_MAX - value
    ):
        raise Error("ERR increment or decrement would overflow")
    value += by
    ks.store(key, b"%d" % value, ks.get_expire(key) if old is not None else None)
    return value


@command("incr", 2, "write fast", 1, 1, 1)
def incr(ks: Any, args: list[bytes], conn: Any) -> Any:
    return _incr(ks, args[1], 1)


@command("decr", 2, "write fast", 1, 1, 1)
def decr(ks: Any, args: list[bytes], conn: Any) -> Any:
    return _incr(ks, args[1], -1)


@command("incrby", 3, "write fast", 1, 1, 1)
def incrby(ks: Any, args: list[bytes], conn: Any) -> Any:
    return _incr(ks, args[1], parse_int(args[2]))


@command("decrby", 3, "write fast", 1, 1, 1)
def decrby(ks: Any, args: list[bytes], conn: Any) -> Any:
    by = parse_int(args[2])
    if by == LLONG_MIN:
        raise Error("ERR decrement would overflow")
    return _incr(ks, args[1], -by)


def parse_long_double(raw: bytes) -> np.longdouble:
    """Redis's ``string2ld``: strtold over the whole string, no leading space, no NaN."""
    if not raw or len(raw) > _MAX_FLOAT_CHARS or raw[:1].isspace() or raw[-1:].isspace():
        raise NOT_FLOAT
    text = raw.decode("ascii", "replace")
    if not _STRTOLD.fullmatch(text):
        raise NOT_FLOAT
    try:
        value = np.longdouble(text)
    except (ValueError, OverflowError):
        if not text.lstrip("+-").lower().startswith("0x"):
            raise NOT_FLOAT from None
        try:
            value = np.longdouble(float.fromhex(text))
        except (ValueError, OverflowError):
            raise NOT_FLOAT from None
    if np.isnan(value):
        raise NOT_FLOAT
    return value


def format_long_double(value: np.longdouble) -> bytes:
    """``%.17Lf`` with trailing zeros (and a trailing dot) removed, as Redis prints it."""
    text = np.format_float_positional(value, precision=17, unique=False, fractional=True)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return text.encode()


@command("incrbyfloat", 3, "write fast", 1, 1, 1)
def incrbyfloat(ks: Any, args: list[bytes], conn: Any) -> Any:
    key = args[1]
    old = ks.lookup(key)
    value = np.longdouble(0) if old is None else parse_long_double(old)
    by = parse_long_double(args[2])
    with np.errstate(over="ignore", invalid="ignore"):
        total = value + by
    if np.isnan(total) or np.isinf(total):
        raise Error("ERR increment would produce NaN or Infinity")
    new = format_long_double(total)
    ks.store(key, new, ks.get_expire(key) if old is not None else None)
    return new
