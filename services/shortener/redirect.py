"""``GET /s/{code}`` as a plain ASGI app mounted at ``/s``: the shortener's hot path.

A FastAPI route costs several hundred microseconds of routing, dependency solving and
response building per request; a redirect needs a dict lookup. Mounted as raw ASGI it still
runs inside the platform middleware (request ids, rate limits, metrics, access log) but skips
the rest, which more than doubles redirects per second. Errors are RFC 9457 problem JSON like
every other route.

302 (not 301) by default: browsers cache a 301 for ever, so later clicks would never reach us
(no click events, no way to expire or delete the link for them). Set
``BLUEPRINT_SHORTENER_REDIRECT_STATUS=301`` to trade that for fewer requests.
"""

from __future__ import annotations

import orjson
from starlette.concurrency import run_in_threadpool

from services.errors import Gone, NotFound
from services.shortener.service import ShortenerService

MAX_CODE = 32


async def _problem(send, status: int, title: str, detail: str, extra=()) -> None:
    body = orjson.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def redirect_app(scope, receive, send) -> None:
    """Serve ``/s/<code>``: cache first, the database only on a miss (single-flight)."""
    if scope["type"] != "http":
        return
    if scope["method"] not in ("GET", "HEAD"):
        await _problem(
            send,
            405,
            "Method Not Allowed",
            "short links answer GET and HEAD only",
            [(b"allow", b"GET, HEAD")],
        )
        return
    path: str = scope["path"]
    code = path[path.rfind("/") + 1 :]
    if not code or len(code) > MAX_CODE or not path.endswith("/s/" + code):
        await _problem(send, 404, "Not Found", "no such short link")
        return
    svc: ShortenerService = scope["app"].state.services["shortener"]
    if svc.local_cache:
        entry = svc.cached(code)
    else:
        entry = await run_in_threadpool(svc.cached, code)
    source = "hit"
    if entry is None:
        source = "miss"
        entry = await run_in_threadpool(svc.load, code)
    try:
        url = svc.target(entry)
    except NotFound as exc:
        await _problem(send, 404, "Not Found", exc.message)
        return
    except Gone as exc:
        await _problem(send, 410, "Gone", exc.message)
        return
    referrer = user_agent = None
    for name, value in scope["headers"]:
        if name == b"referer":
            referrer = value.decode("latin-1")
        elif name == b"user-agent":
            user_agent = value.decode("latin-1")
    svc.clicks.record(code, referrer, user_agent, source)
    await send(
        {
            "type": "http.response.start",
            "status": svc.conf.redirect_status,
            "headers": [
                (b"location", url.encode()),
                (b"content-length", b"0"),
                (b"cache-control", b"private, max-age=0"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b""})
