"""Keyspace and expiry commands, following Redis 7.0's db.c and expire.c."""

from __future__ import annotations

from typing import Any

from services.kv.commands import LLONG_MAX, LLONG_MIN, SYNTAX, command, parse_int
from services.kv.glob import glob_match
from services.kv.resp import OK, Error, Status


@command("del", -2, "write", 1, -1, 1)
def del_(ks: Any, args: list[bytes], conn: Any) -> Any:
    return sum(1 for k in args[1:] if ks.lookup(k) is not None and ks.delete(k))


@command("unlink", -2, "write fast", 1, -1, 1)
def unlink(ks: Any, args: list[bytes], conn: Any) -> Any:
    return del_(ks, args, conn)


@command("exists", -2, "readonly fast", 1, -1, 1)
def exists(ks: Any, args: list[bytes], conn: Any) -> Any:
    return sum(1 for k in args[1:] if ks.lookup(k) is not None)


@command("touch", -2, "readonly fast", 1, -1, 1)
def touch(ks: Any, args: list[bytes], conn: Any) -> Any:
    return exists(ks, args, conn)


@command("type", 2, "readonly fast", 1, 1, 1)
def type_(ks: Any, args: list[bytes], conn: Any) -> Any:
    return Status("string" if ks.lookup(args[1]) is not None else "none")


def _rename(ks: Any, args: list[bytes], nx: bool) -> Any:
    src, dst = args[1], args[2]
    value = ks.lookup(src)
    if value is None:
        raise Error("ERR no such key")
    if src == dst:
        return 0 if nx else OK
    expire = ks.get_expire(src)
    if ks.lookup(dst) is not None and nx:
        return 0
    ks.store(dst, value, expire)
    ks.delete(src)
    return 1 if nx else OK


@command("rename", 3, "write", 1, 2, 1)
def rename(ks: Any, args: list[bytes], conn: Any) -> Any:
    return _rename(ks, args, nx=False)


@command("renamenx", 3, "write fast", 1, 2, 1)
def renamenx(ks: Any, args: list[bytes], conn: Any) -> Any:
    return _rename(ks, args, nx=True)


def parse_db(raw: bytes) -> int:
    db = parse_int(raw)
    if db > 2**31 - 1 or db < -(2**31):
        raise Error("ERR value is not an integer or out of range")
    if db != 0:
        raise Error("ERR DB index is out of range")
    return db


@command("copy", -3, "write", 1, 2, 1)
def copy(ks: Any, args: list[bytes], conn: Any) -> Any:
    replace = False
    j = 3
    while j < len(args):
        opt = args[j].lower()
        if opt == b"replace":
            replace = True
        elif opt == b"db" and j + 1 < len(args):
            parse_db(args[j + 1])
            j += 1
        else:
            raise SYNTAX
        j += 1
    src, dst = args[1], args[2]
    if src == dst:
        raise Error("ERR source and destination objects are the same")
    value = ks.lookup(src)
    if value is None:
        return 0
    if ks.lookup(dst) is not None and not replace:
        return 0
    ks.store(dst, value, ks.get_expire(src))
    return 1


def _expire_flags(args: list[bytes]) -> set[bytes]:
    flags: set[bytes] = set()
    for raw in args[3:]:
        opt = raw.lower()
        if opt not in (b"nx", b"xx", b"gt", b"lt"):
            raise Error(f"ERR Unsupported option {raw.decode('utf-8', 'replace')}")
        flags.add(opt)
    if b"nx" in flags and flags & {b"xx", b"gt", b"lt"}:
        raise Error("ERR NX and XX, GT or LT options at the same time are not compatible")
    if b"gt" in flags and b"lt" in flags:
        raise Error("ERR GT and LT options at the same time are not compatible")
    return flags


def _expire(ks: Any, args: list[bytes], unit_ms: int, absolute: bool, name: str) -> int:
    flags = _expire_flags(args)
    when = parse_int(args[2])
    bad = Error(f"ERR invalid expire time in '{name}' command")
    if unit_ms == 1000:
        if when > LLONG_MAX // 1000 or when < -(-LLONG_MIN // 1000):
            raise bad
        when *= 1000
    base = 0 if absolute else ks.now_ms()
    if when > LLONG_MAX - base:
        raise bad
    when += base
    key = args[1]
    if ks.lookup(key) is None:
        return 0
    current = ks.get_expire(key)
    if b"nx" in flags and current is not None:
        return 0
    if b"xx" in flags and current is None:
        return 0
    if b"gt" in flags and (current is None or when <= current):
        return 0
    if b"lt" in flags and current is not None and when >= current:
        return 0
    if when <= ks.now_ms():
        ks.delete(key)
    else:
        ks.set_expire(key, when)
    return 1


@command("expire", -3, "write fast", 1, 1, 1)
def expire(ks: Any, args: list[bytes], conn: Any) -> Any:
    return _expire(ks, args, 1000, False, "expire")


@command("pexpire", -3, "write fast", 1, 1, 1)
def pexpire(ks: Any, args: list[bytes], conn: Any) -> Any:
    return _expire(ks, args, 1, False, "pexpire")


@command("expireat", -3, "write fast", 1, 1, 1)
def expireat(ks: Any, args: list[bytes], conn: Any) -> Any:
    return _expire(ks, args, 1000, True, "expireat")


@command("pexpireat", -3, "write fast", 1, 1, 1)
def pexpireat(ks: Any, args: list[bytes], conn: Any) -> Any:
    return _expire(ks, args, 1, True, "pexpireat")


def _ttl(ks: Any, key: bytes, ms: bool, absolute: bool) -> int:
    if ks.lookup(key) is None:
        return -2
    at = ks.get_expire(key)
    if at is None:
        return -1
    ttl = max(at if absolute else at - ks.now_ms(), 0)
    return ttl if ms else (ttl + 500) // 1000


@command("ttl", 2, "readonly fast", 1, 1, 1)
def ttl(ks: Any, args: list[bytes], conn: Any) -> Any:
    return _ttl(ks, args[1], ms=False, absolute=False)


@command("pttl", 2, "readonly fast", 1, 1, 1)
def pttl(ks: Any, args: list[bytes], conn: Any) -> Any:
    return _ttl(ks, args[1], ms=True, absolute=False)


@command("expiretime", 2, "readonly fast", 1, 1, 1)
def expiretime(ks: Any, args: list[bytes], conn: Any) -> Any:
    return _ttl(ks, args[1], ms=False, absolute=True)


@command("pexpiretime", 2, "readonly fast", 1, 1, 1)
def pexpiretime(ks: Any, args: list[bytes], conn: Any) -> Any:
    return _ttl(ks, args[1], ms=True, absolute=True)


@command("persist", 2, "write fast", 1, 1, 1)
def persist(ks: Any, args: list[bytes], conn: Any) -> Any:
    key = args[1]
    if ks.lookup(key) is None or ks.get_expire(key) is None:
        return 0
    ks.set_expire(key, None)
    return 1


def parse_cursor(raw: bytes) -> int:
    """``strtoul`` as Redis calls it: decimal digits, no leading space; else invalid."""
    text = raw.decode("ascii", "replace")
    body = text[1:] if text[:1] in "+-" else text
    if not body.isdigit() or not body.isascii():
        raise Error("ERR invalid cursor")
    value = int(body)
    if value >= 1 << 64:
        raise Error("ERR invalid cursor")
    return (-value) % (1 << 64) if text[:1] == "-" else value


def parse_scan_options(args: list[bytes], start: int) -> tuple[bytes | None, int, bytes | None]:
    pattern: bytes | None = None
    kind: bytes | None = None
    count = 10
    i = start
    while i < len(args):
        opt = args[i].lower()
        if i + 1 >= len(args):
            raise SYNTAX
        if opt == b"count":
            count = parse_int(args[i + 1])
            if count < 1:
                raise SYNTAX
        elif opt == b"match":
            pattern = args[i + 1]
        elif opt == b"type":
            kind = args[i + 1].lower()
        else:
            raise SYNTAX
        i += 2
    return pattern, count, kind


def filter_page(keys: list[bytes], pattern: bytes | None, kind: bytes | None) -> list[bytes]:
    if kind is not None and kind != b"string":
        return []
    if pattern is None:
        return keys
    return [k for k in keys if glob_match(pattern, k)]


@command("scan", -2, "readonly", 0, 0, 0)
def scan(ks: Any, args: list[bytes], conn: Any) -> Any:
    cursor = parse_cursor(args[1])
    pattern, count, kind = parse_scan_options(args, 2)
    nxt, keys = ks.scan(cursor, count)
    return [b"%d" % nxt, filter_page(keys, pattern, kind)]


@command("keys", 2, "readonly", 0, 0, 0)
def keys(ks: Any, args: list[bytes], conn: Any) -> Any:
    return filter_page(ks.live_keys(), args[1], None)


@command("randomkey", 1, "readonly", 0, 0, 0)
def randomkey(ks: Any, args: list[bytes], conn: Any) -> Any:
    return ks.random_key()


@command("dbsize", 1, "readonly fast", 0, 0, 0)
def dbsize(ks: Any, args: list[bytes], conn: Any) -> Any:
    return ks.size()


def _flush(ks: Any, args: list[bytes]) -> Any:
    if len(args) > 2 or (len(args) == 2 and args[1].lower() not in (b"async", b"sync")):
        raise SYNTAX
    ks.flush()
    return OK


@command("flushdb", -1, "write", 0, 0, 0)
def flushdb(ks: Any, args: list[bytes], conn: Any) -> Any:
    return _flush(ks, args)


@command("flushall", -1, "write", 0, 0, 0)
def flushall(ks: Any, args: list[bytes], conn: Any) -> Any:
    return _flush(ks, args)
