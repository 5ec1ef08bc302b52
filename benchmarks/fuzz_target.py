"""The app under fuzz, at its edges: exceptions that escape it, the network it may reach,
its settings on a data directory of its own, and the resources a run starts from.

Used by ``benchmarks.fuzz_openapi`` (the harness: see its docstring).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemathesis.core import SCHEMATHESIS_TEST_CASE_HEADER

ROOT = Path(__file__).resolve().parents[1]
HARNESS = {ROOT / "benchmarks" / "fuzz_openapi.py", Path(__file__).resolve()}


@dataclass
class Crash:
    exception: str
    where: str  # the innermost frame in the project's own code
    message: str

    @classmethod
    def of(cls, exc: BaseException) -> Crash:
        where = "?"
        for frame in traceback.extract_tb(exc.__traceback__):
            path = Path(frame.filename)
            if path.is_relative_to(ROOT) and ".venv" not in path.parts and path not in HARNESS:
                where = f"{path.relative_to(ROOT)}:{frame.lineno} in {frame.name}"
        return cls(type(exc).__name__, where, str(exc)[:300])


# JSON can carry a lone surrogate ("\\ud800"), but schemathesis validates generated values
# with a validator that cannot hold one. So the generator offers U+E000 in its place and the
# app's edge rewrites that escape in request bodies (same length, same position).
SURROGATE_STAND_IN = "\ue000"
_STAND_IN_ESCAPE, _SURROGATE_ESCAPE = b"\\ue000", b"\\ud800"


def with_surrogates(text: str) -> str:
    """``text`` (a curl command, say) with the stand-in's JSON escape back as a surrogate's."""
    return text.replace(_STAND_IN_ESCAPE.decode(), _SURROGATE_ESCAPE.decode())


class CrashRecorder:
    """ASGI wrapper: an exception escaping the app is kept by test case id and, when no
    response has started, answered 500 (Starlette has usually sent that 500 already).
    Request bodies get their surrogate stand-ins swapped for surrogates on the way in."""

    def __init__(self, app) -> None:
        self.app = app
        self.crashes: dict[str, Crash] = {}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        case_id = dict(scope["headers"]).get(SCHEMATHESIS_TEST_CASE_HEADER.lower().encode(), b"")
        started = False

        async def swapped() -> dict:
            message = await receive()
            if message["type"] == "http.request" and _STAND_IN_ESCAPE in message.get("body", b""):
                message["body"] = message["body"].replace(_STAND_IN_ESCAPE, _SURROGATE_ESCAPE)
            return message

        async def tracked(message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, swapped, tracked)
        except Exception as exc:
            self.crashes[case_id.decode()] = Crash.of(exc)
            if not started:
                await send({"type": "http.response.start", "status": 500, "headers": []})
                await send({"type": "http.response.body", "body": b"Internal Server Error"})


def _host(host) -> str:
    return (host.decode() if isinstance(host, bytes) else str(host)).strip("[]").split("%")[0]


def _is_loopback(host) -> bool:
    name = _host(host)
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _needs_no_lookup(host) -> bool:
    if host is None or _is_loopback(host):
        return True
    try:
        ipaddress.ip_address(_host(host))  # a literal: connecting to it is checked apart
        return True
    except ValueError:
        return False


@contextlib.contextmanager
def loopback_only() -> Iterator[None]:
    """In this process, refuse name lookups other than localhost and IP literals, and
    connections or datagrams to anything but loopback or a Unix socket."""
    real_getaddrinfo, real_gethostbyname = socket.getaddrinfo, socket.gethostbyname
    real = {name: getattr(socket.socket, name) for name in ("connect", "connect_ex", "sendto")}

    def no_lookup(host) -> None:
        if not _needs_no_lookup(host):
            raise socket.gaierror(socket.EAI_NONAME, f"fuzz run: no lookup of {host!r}")

    def getaddrinfo(host, *args, **kwargs):
        no_lookup(host)
        return real_getaddrinfo(host, *args, **kwargs)

    def gethostbyname(host):
        no_lookup(host)
        return real_gethostbyname(host)

    def guarded(name: str) -> Callable:
        def method(sock, *args):
            address = args[-1]
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
                raise ConnectionRefusedError(f"fuzz run: no traffic to {address[0]!r}")
            return real[name](sock, *args)

        return method

    socket.getaddrinfo, socket.gethostbyname = getaddrinfo, gethostbyname
    for name in real:
        setattr(socket.socket, name, guarded(name))
    try:
        yield
    finally:
        socket.getaddrinfo, socket.gethostbyname = real_getaddrinfo, real_gethostbyname
        for name, method in real.items():
            setattr(socket.socket, name, method)


# --- the platform: settings, seed data ----------------------------------------------------


@contextlib.contextmanager
def platform_settings(data_dir: Path) -> Iterator[tuple[Any, Any]]:
    """Settings on ``data_dir`` (what ``get_settings`` returns meanwhile) with a rate limit
    the fuzzer stays under, and an emitter: as the tests/conftest.py fixtures make them."""
    from warehouse.emitter import Emitter, SpoolTransport
    from warehouse.settings import get_settings

    env = {"BLUEPRINT_DATA_DIR": str(data_dir), "BLUEPRINT_RATE_LIMIT_PER_MINUTE": "1000000"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    get_settings.cache_clear()
    settings = get_settings()
    emitter = Emitter(SpoolTransport(settings))
    try:
        yield settings, emitter
    finally:
        emitter.close()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        get_settings.cache_clear()


def seed(client, admin_key: str, app) -> tuple[str, dict[str, list[str]]]:
    """A user key issued by the admin, and resources whose ids the generator reuses (by
    path parameter name)."""
    admin = {"X-API-Key": admin_key}
    resp = client.post("/auth/keys", json={"user_id": "fuzzer", "roles": ["user"]}, headers=admin)
    if resp.status_code != 201:
        raise RuntimeError(f"POST /auth/keys answered {resp.status_code}: {resp.text[:300]}")
    user = {"X-API-Key": resp.json()["api_key"]}
    ids: dict[str, list[str]] = {
        "handle": ["fuzzer", "admin"],
        "user_id": ["fuzzer", "admin"],
        "key": ["fuzz"],
        "name": ["welcome", "master.m3u8"],
        "locale": ["en"],
    }

    def keep(name: str, resp, field: str = "id") -> None:
        if resp.status_code < 300:
            ids.setdefault(name, []).append(str(resp.json()[field]))

    for who in (user, admin):
        client.post("/social/users", json={"display_name": "Fuzz"}, headers=who)
        keep("post_id", client.post("/social/posts", json={"text": "hi"}, headers=who))
    message = {"to": "admin", "text": "hi"}
    keep("message_id", client.post("/social/messages", json=message, headers=user))
    link = {"url": "https://93.184.215.14/fuzz"}  # an IP literal: no lookup needed
    keep("code", client.post("/shortener/links", json=link, headers=user), "code")
    client.put("/cache/keys/fuzz", json={"value": 1}, headers=admin)
    client.put("/notifications/users/fuzzer", json={"email": "f@example.org"}, headers=admin)
    template = {"subject": "Hi", "body": "Hello"}
    client.put("/notifications/templates/welcome/en", json=template, headers=admin)
    with contextlib.suppress(Exception):  # the run goes on without it if the store changes
        ids["video_id"] = [_catalogue_video(app)]
    return user["X-API-Key"], ids


def _catalogue_video(app) -> str:
    """A catalogued video without renditions, as tests/services/video make one."""
    from services.video.ingest import source_path
    from services.video.store import Video

    video_id = "f022f022f0220001"
    video = Video(
        id=video_id,
        user_id="fuzzer",
        title="Fuzz",
        description="",
        tags=["fuzz"],
        source=str(source_path(app.state.settings, video_id)),
        probe={"duration_s": 1.0, "width": 64, "height": 64},
        created=1000.0,
    )
    app.state.services["video"].store.add_video(video)
    return video_id


# Values at the edges of what JSON and HTTP carry, which generators seldom reach on their own:
# integers past 64 bits, a float near the double's limit, NUL and terminal control
# characters, a path climb, and (in JSON bodies only, where they travel escaped) lone
# surrogates. Each is offered, where its schema lets it (or, in negative cases, where it does
# not), in place of a generated value.
EDGE_NUMBERS = [2**63, -(2**63) - 1, 2**64, 10**30, 1e308]
EDGE_WIRE = [*EDGE_NUMBERS, "a\x00b", "\x1b[2J", ".."]
EDGE_BODY = [*EDGE_NUMBERS, "a\x00b", "\x1b[2J", SURROGATE_STAND_IN, f"a{SURROGATE_STAND_IN}b"]
EDGE_PROBABILITY = 0.3


def edge_bindings(document: dict, skip: set[str]) -> tuple[dict, dict]:
    """schemathesis dictionaries and parameter bindings that offer the edge values to every
    query and path parameter (but those in ``skip``) and to every JSON body field, two levels
    deep, of the OpenAPI ``document``."""
    components = document.get("components", {}).get("schemas", {})
    bindings: dict[str, dict] = {}
    wire = {"dictionary": "edge_wire", "probability": EDGE_PROBABILITY}
    body = {"dictionary": "edge_body", "probability": EDGE_PROBABILITY}

    def walk(schema: dict, path: str, depth: int) -> None:
        ref = schema.get("$ref", "")
        schema = components.get(ref.rsplit("/", 1)[-1], {}) if ref else schema
        for variant in schema.get("anyOf", []) + schema.get("oneOf", []):
            walk(variant, path, depth)
        if isinstance(schema.get("items"), dict) and path != "body":
            walk(schema["items"], f"{path}[*]", depth)
        for name, sub in schema.get("properties", {}).items():
            if name.isidentifier():
                bindings[f"{path}.{name}"] = body
                if depth < 2:
                    walk(sub, f"{path}.{name}", depth + 1)

    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") in ("query", "path") and parameter["name"] not in skip:
                    bindings[f"{parameter['in']}.{parameter['name']}"] = wire
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                walk(content["application/json"].get("schema", {}), "body", 1)
    dictionaries = {"edge_wire": {"values": EDGE_WIRE}, "edge_body": {"values": EDGE_BODY}}
    return dictionaries, bindings
