"""The command table: name, arity, flags and key positions (as ``COMMAND`` reports them), and
dispatch with Redis's exact error replies for unknown commands and wrong arity.

Handlers live in ``strings.py``, ``keys.py`` and ``server_commands.py``; each is
``handler(ks, args, conn) -> reply`` over the keyspace interface of ``keyspace.Keyspace``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.kv.resp import Error

LLONG_MAX = (1 << 63) - 1
LLONG_MIN = -(1 << 63)

Handler = Callable[[Any, list[bytes], Any], Any]


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    arity: int  # Redis's convention: >0 exact, <0 at least -arity (the name counts)
    flags: tuple[str, ...]
    first_key: int = 0
    last_key: int = 0
    step: int = 0

    @property
    def write(self) -> bool:
        return "write" in self.flags

    def keys(self, args: list[bytes]) -> list[bytes]:
        """The keys a request names (what a coordinator must read and may write)."""
        if self.first_key == 0:
            return []
        last = self.last_key if self.last_key >= 0 else len(args) + self.last_key
        return list(args[self.first_key : last + 1 : self.step])


TABLE: dict[bytes, Command] = {}


def command(
    name: str, arity: int, flags: str, first: int = 0, last: int = 0, step: int = 0
) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        TABLE[name.encode()] = Command(name, fn, arity, tuple(flags.split()), first, last, step)
        return fn

    return register


def wrong_arity(name: str) -> Error:
    return Error(f"ERR wrong number of arguments for '{name}' command")


SYNTAX = Error("ERR syntax error")
NOT_INT = Error("ERR value is not an integer or out of range")
NOT_FLOAT = Error("ERR value is not a valid float")


def unknown_command(args: list[bytes]) -> Error:
    """Redis 7's reply, quoting at most 128 characters of the arguments."""
    quoted = ""
    for arg in args[1:]:
        if len(quoted) >= 128:
            break
        quoted += "'" + arg.decode("utf-8", "replace")[: 128 - len(quoted)] + "' "
    name = args[0].decode("utf-8", "replace")[:128]
    return Error(f"ERR unknown command '{name}', with args beginning with: {quoted}")


def lookup(args: list[bytes]) -> Command | Error:
    """The command a request names, or the error Redis replies with."""
    cmd = TABLE.get(args[0].lower())
    if cmd is None:
        return unknown_command(args)
    n = len(args)
    if (cmd.arity > 0 and n != cmd.arity) or n < -cmd.arity:
        return wrong_arity(cmd.name)
    return cmd


def parse_int(raw: bytes, error: Error = NOT_INT) -> int:
    """Redis's ``string2ll``: canonical decimal only (no '+', spaces or leading zeros)."""
    n = len(raw)
    if n == 0 or n > 20:
        raise error
    if raw == b"0":
        return 0
    body = raw[1:] if raw[:1] == b"-" else raw
    if not body or not body.isdigit() or body[:1] == b"0":
        raise error
    value = int(raw)
    if value > LLONG_MAX or value < LLONG_MIN:
        raise error
    return value


def dispatch(ks: Any, args: list[bytes], conn: Any) -> Any:
    """Run one request; domain errors become error replies."""
    cmd = lookup(args)
    if isinstance(cmd, Error):
        return cmd
    try:
        return cmd.handler(ks, args, conn)
    except Error as err:
        return err


def load_all() -> None:
    """Import the handler modules so they register themselves."""
    from services.kv import keys, server_commands, strings  # noqa: F401
