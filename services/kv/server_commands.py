"""Connection and server commands: PING, ECHO, SELECT, INFO, COMMAND, CONFIG, CLIENT, HELLO.

``conn`` is the connection (``services.kv.connection.Connection``): its id and name, and through
``conn.node`` the node's config, counters and command table.
"""

from __future__ import annotations

import os
import time
from typing import Any

from services.kv.commands import SYNTAX, TABLE, command, lookup, parse_int, wrong_arity
from services.kv.glob import glob_match
from services.kv.keys import parse_db
from services.kv.resp import OK, PONG, Error, Map, Status

REDIS_VERSION = "7.0.15"  # the Redis whose behaviour the commands follow


@command("ping", -1, "fast", 0, 0, 0)
def ping(ks: Any, args: list[bytes], conn: Any) -> Any:
    if len(args) > 2:
        raise wrong_arity("ping")
    return PONG if len(args) == 1 else args[1]


@command("echo", 2, "fast", 0, 0, 0)
def echo(ks: Any, args: list[bytes], conn: Any) -> Any:
    return args[1]


@command("select", 2, "fast", 0, 0, 0)
def select(ks: Any, args: list[bytes], conn: Any) -> Any:
    parse_db(args[1])
    return OK


@command("quit", -1, "fast", 0, 0, 0)
def quit_(ks: Any, args: list[bytes], conn: Any) -> Any:
    conn.closing = True
    return OK


@command("auth", -2, "fast", 0, 0, 0)
def auth(ks: Any, args: list[bytes], conn: Any) -> Any:
    if len(args) > 3:
        raise SYNTAX
    raise Error(
        "ERR AUTH <password> called without any password configured for the default user. "
        "Are you sure your configuration is correct?"
    )


@command("hello", -1, "fast", 0, 0, 0)
def hello(ks: Any, args: list[bytes], conn: Any) -> Any:
    if len(args) >= 2:
        try:
            ver = parse_int(args[1])
        except Error:
            raise Error("ERR Protocol version is not an integer or out of range") from None
        if ver not in (2, 3):
            raise Error("NOPROTO unsupported protocol version")
        conn.set_proto(ver)
        j = 2
        while j < len(args):
            opt = args[j].lower()
            if opt == b"setname" and j + 1 < len(args):
                conn.name = args[j + 1]
                j += 2
            else:
                raise Error(
                    f"ERR Syntax error in HELLO option '{args[j].decode('utf-8', 'replace')}'"
                )
    return Map(
        [
            (b"server", b"redis"),
            (b"version", REDIS_VERSION.encode()),
            (b"proto", conn.proto),
            (b"id", conn.id),
            (b"mode", b"standalone"),
            (b"role", b"master"),
            (b"modules", []),
        ]
    )


def _info_sections(conn: Any) -> dict[str, list[tuple[str, Any]]]:
    node = conn.node
    stats = node.stats
    return {
        "server": [
            ("redis_version", REDIS_VERSION),
            ("redis_mode", "standalone"),
            ("kv_node", node.name),
            ("kv_consistency", node.config.consistency),
            ("process_id", os.getpid()),
            ("tcp_port", node.port),
            ("uptime_in_seconds", int(time.time() - node.started)),
        ],
        "clients": [("connected_clients", len(node.connections))],
        "persistence": [("loading", 0), ("aof_enabled", 1), ("kv_wal_bytes", node.wal_bytes())],
        "stats": [
            ("total_connections_received", stats["connections"]),
            ("total_commands_processed", stats["commands"]),
            ("rejected_connections", stats["rejected"]),
            ("expired_keys", node.keyspace.expired_count),
            ("kv_protocol_errors", stats["protocol_errors"]),
        ],
        "replication": [("role", "master"), ("connected_slaves", 0)],
        "keyspace": [("db0", f"keys={node.keyspace.size()},expires={len(node.keyspace.expires)}")]
        if node.keyspace.size()
        else [],
        "cluster": node.cluster_info(),
    }


@command("info", -1, "", 0, 0, 0)
def info(ks: Any, args: list[bytes], conn: Any) -> Any:
    sections = _info_sections(conn)
    wanted = {a.decode("utf-8", "replace").lower() for a in args[1:]}
    if not wanted or wanted & {"all", "everything", "default"}:
        wanted = set(sections)
    lines: list[str] = []
    for name, fields in sections.items():
        if name not in wanted:
            continue
        if lines:
            lines.append("")
        lines.append(f"# {name.capitalize()}")
        lines.extend(f"{k}:{v}" for k, v in fields)
    return ("\r\n".join(lines) + "\r\n").encode() if lines else b""


def _command_entry(cmd: Any) -> list[Any]:
    return [
        cmd.name.encode(),
        cmd.arity,
        [Status(f) for f in cmd.flags],
        cmd.first_key,
        cmd.last_key,
        cmd.step,
        [],
        [],
        [],
        [],
    ]


@command("command", -1, "", 0, 0, 0)
def command_(ks: Any, args: list[bytes], conn: Any) -> Any:
    if len(args) == 1:
        return [_command_entry(c) for c in TABLE.values()]
    sub = args[1].lower()
    if sub == b"count" and len(args) == 2:
        return len(TABLE)
    if sub == b"list" and len(args) == 2:
        return [c.name.encode() for c in TABLE.values()]
    if sub == b"info":
        return [_command_entry(TABLE[a.lower()]) if a.lower() in TABLE else None for a in args[2:]]
    if sub == b"docs":
        return Map()
    if sub == b"getkeys" and len(args) >= 3:
        cmd = lookup(args[2:])
        if isinstance(cmd, Error):
            raise Error("ERR Invalid command specified")
        keys = cmd.keys(args[2:])
        if not keys:
            raise Error("ERR The command has no key arguments")
        return keys
    if sub in (b"count", b"list", b"getkeys"):
        raise wrong_arity(f"command|{sub.decode()}")
    raise _unknown_sub(args[1], "COMMAND")


def _unknown_sub(sub: bytes, group: str) -> Error:
    return Error(
        f"ERR unknown subcommand '{sub.decode('utf-8', 'replace')[:128]}'. Try {group} HELP."
    )


@command("config", -2, "", 0, 0, 0)
def config(ks: Any, args: list[bytes], conn: Any) -> Any:
    sub = args[1].lower()
    params = conn.node.config_params()
    if sub == b"get":
        if len(args) < 3:
            raise wrong_arity("config|get")
        out = Map()
        seen: set[str] = set()
        for pattern in args[2:]:
            for name, value in params.items():
                if name not in seen and glob_match(pattern.lower(), name.encode()):
                    seen.add(name)
                    out.append((name.encode(), str(value).encode()))
        return out
    if sub == b"set":
        if len(args) < 4 or len(args) % 2:
            raise wrong_arity("config|set")
        pairs = [
            (args[i].lower().decode("utf-8", "replace"), args[i + 1])
            for i in range(2, len(args), 2)
        ]
        for name, _ in pairs:
            if name not in params:
                raise Error(f"ERR Unknown option or number of arguments for CONFIG SET - '{name}'")
        for name, value in pairs:
            conn.node.set_config(name, value)
        return OK
    if sub == b"resetstat" and len(args) == 2:
        for k in conn.node.stats:
            conn.node.stats[k] = 0
        return OK
    raise _unknown_sub(args[1], "CONFIG")


@command("client", -2, "", 0, 0, 0)
def client(ks: Any, args: list[bytes], conn: Any) -> Any:
    sub = args[1].lower()
    if sub == b"id" and len(args) == 2:
        return conn.id
    if sub == b"getname" and len(args) == 2:
        return conn.name
    if sub == b"setname" and len(args) == 3:
        name = args[2]
        if any(c <= 0x20 or c > 0x7E for c in name):
            raise Error("ERR Client names cannot contain spaces, newlines or special characters.")
        conn.name = name or None
        return OK
    if sub == b"setinfo" and len(args) == 4:
        if args[2].lower() not in (b"lib-name", b"lib-ver"):
            raise Error(f"ERR Unrecognized option '{args[2].decode('utf-8', 'replace')}'")
        return OK
    if sub == b"info" and len(args) == 2:
        return conn.describe().encode() + b"\n"
    if sub == b"list":
        return "".join(c.describe() + "\n" for c in conn.node.connections).encode()
    if sub in (b"no-evict", b"no-touch", b"reply") and len(args) == 3:
        return OK
    if sub in (b"id", b"getname", b"setname", b"setinfo", b"info"):
        raise wrong_arity(f"client|{sub.decode()}")
    raise _unknown_sub(args[1], "CLIENT")
