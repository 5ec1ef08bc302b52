"""The OpenAPI document and its docs pages, made to tell what the platform really sends.

- ``/docs`` (Swagger UI) and ``/redoc`` load their scripts from this server: the assets ship
  in the ``fastapi-offline`` wheel (Swagger UI and ReDoc bundles), so the pages work with no
  internet. Its static files are mounted; its app factory is not used.
- An API-key security scheme (``X-API-Key``, or ``Authorization: Bearer``) on every operation
  that reads a key, found from each route's dependencies, so "Authorize" in Swagger UI works.
  Operations that also serve anonymous callers list the empty requirement too. The key
  headers stay in the parameter lists as well: they are what the routes read.
- Errors are RFC 9457 problem documents (``services.problems``). Each operation declares the
  statuses its shape can produce, with the ``Problem`` schema under
  ``application/problem+json``: 422 and 400 where it takes input, 401 where it reads a key,
  403 where it needs one, 404 where its input names something, 413 where it takes a body,
  409 where it changes state or a domain rule can conflict (``CONFLICTS``), 429 everywhere
  (the rate limit) and 503 where it can be unavailable (a full event buffer, no healthy
  edge); tus routes add 412 and 415, and other protocol statuses (a callback's 401) come
  from ``EXTRA``. A route's own ``responses=`` declare what else it sends. FastAPI's own
  ``HTTPValidationError`` 422 is replaced: it is not what is sent.
- Request models get worked examples (``EXAMPLES``), ones the API accepts.
"""

from __future__ import annotations

from copy import deepcopy
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi import routing as fastapi_routing
from fastapi.dependencies.models import Dependant
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/docs-assets"

PROBLEM = {
    "title": "Problem",
    "description": "An RFC 9457 problem document: what went wrong, and what to do about it.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "example": "about:blank"},
        "title": {"type": "string", "example": "Unprocessable Content"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599, "example": 422},
        "detail": {"type": "string", "example": "url: Field required"},
    },
}
REASONS = {
    400: "Malformed request: a body that is not JSON, or a value the API cannot read.",
    401: "Missing or invalid API key (send X-API-Key or Authorization: Bearer <key>).",
    402: "The payment method was declined: nothing was charged or changed.",
    403: "The key is valid but may not do this (a role, another user's resource, or the admin "
    "key on a user-scoped route).",
    404: "Nothing by that name or id.",
    409: "Conflicts with the current state (taken, already done, or changed meanwhile).",
    412: "A protocol precondition failed (tus: Tus-Resumable 1.0.0 is required).",
    415: "The body's media type is not the one this operation takes.",
    413: "The body is larger than this route accepts.",
    422: "A value breaks its schema or a domain rule; `detail` names the field.",
    429: "Rate limited: retry after the Retry-After header's seconds.",
    503: "Unavailable for now (event buffer full, no index or edge yet): retry after Retry-After.",
}
SECURITY = [{"ApiKey": []}, {"Bearer": []}]
#: Dependencies (by function name) that require a key, and the one that only reads it.
REQUIRES_KEY = {"_current_user", "_tus_user"}
READS_KEY = {"_optional_user"}
#: Operations whose domain can answer 409 (a taken alias or key, an edge name in use, ...).
CONFLICTS = {
    "shortener_create",
    "social_create_user",
    "social_create_post",
    "social_like",
    "social_repost",
    "notify_send",
    "notify_callback",
    "cache_set_node_state",
    "cdn_register_edge",
    "video_upload_patch",
    "video_upload_delete",
    "video_live_create",
    "video_live_end",
    "video_drm_protect",
}
#: Statuses particular to a protocol an operation speaks: tus answers 412 without
#: ``Tus-Resumable`` and 415 for a PATCH that is not ``application/offset+octet-stream``;
#: provider callbacks are signed, not keyed, and answer 401 to a bad signature.
EXTRA = {
    "video_upload_create": {412},
    "video_upload_offset": {412},
    "video_upload_patch": {412, 415},
    "video_upload_delete": {412},
    "notify_callback": {401},
    # Share links are keyless: a password-protected one answers 401 without the password,
    # a read-only one refuses writes; delta sync plans take an If-Match (412 when stale).
    "files_shared_meta": {401},
    "files_shared_download": {401},
    "files_shared_upload": {401, 403},
    "files_sync_plan": {412},
    "files_sync_commit": {412},
    "files_put": {412},
    "files_delete": {412},
    # Paying (a confirm, a change of a paid booking's dates, a checkout) can be declined.
    "booking_confirm": {402},
    "booking_change": {402},
    "shop_checkout": {402},
    # The key server's credential is the playback token, not an API key: 403 without a valid one.
    "video_drm_key": {403},
    "video_drm_license": {403},
}
#: A repeated create with the same Idempotency-Key answers 200 with the first result (the
#: first answer is 201, or 202 when delivery happens later).
REPLAYS = {
    "social_create_post": "The post this Idempotency-Key already created.",
    "notify_send": "The notification this Idempotency-Key already created.",
}


def _in_days(n: int) -> str:
    """A date ``n`` days ahead: booking examples must stay in the bookable future."""
    return (date.today() + timedelta(days=n)).isoformat()


#: Worked examples of every request model, each one the API accepts.
EXAMPLES: dict[str, dict[str, Any]] = {
    "ChatMessageIn": {"client_id": "c-0001", "body": {"text": "On my way"}, "device": "phone"},
    "CommentIn": {"text": "The 720p rung looks great."},
    "CommitIn": {"path": "docs/notes.txt", "plan_id": "0123456789abcdef0123456789abcdef"},
    "ChangeIn": {"check_in": _in_days(31), "check_out": _in_days(34), "guests": 2},
    "ConfirmIn": {"payment_method": "pm_card_visa"},
    "ConversationIn": {"members": ["bob", "carol"], "title": "Weekend plans"},
    "CursorIn": {"device": "phone", "seq": 42, "read": True},
    "DeviceIn": {"public_key": "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="},
    "EditIn": {"client_id": "c-0002", "body": {"text": "On my way (10 min)"}},
    "FolderIn": {"path": "photos/2026", "parents": True},
    "HoldIn": {
        "unit_id": "hotel-1:double",
        "check_in": _in_days(30),
        "check_out": _in_days(32),
        "guests": 2,
    },
    "InventoryIn": {
        "start": _in_days(30),
        "end": _in_days(60),
        "total": 10,
        "price_cents": 12900,
    },
    "MemberIn": {"user_id": "dave"},
    "MoveIn": {"src": "docs/draft.txt", "dst": "docs/final.txt"},
    "PlanIn": {
        "path": "docs/notes.txt",
        "chunks": [["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 4]],
    },
    "PropertyIn": {"id": "hotel-1", "name": "Harbour View", "city": "Lisbon", "country": "PT"},
    "QuotaIn": {"quota_bytes": 10737418240},
    "RestoreVersionIn": {"path": "docs/notes.txt", "version": 1},
    "RetentionIn": {"retention_s": 604800},
    "ShareIn": {"path": "photos/2026", "rights": "read", "expires_in_s": 86400},
    "GrantIn": {"path": "photos/2026", "user": "bob", "role": "viewer"},
    "SubscriptionIn": {"subscribed": False},
    "TypeIn": {"description": "Stories and offers", "default_subscribed": True},
    "UnitIn": {
        "id": "hotel-1:double",
        "name": "Double room",
        "max_guests": 2,
        "property_id": "hotel-1",
    },
    "EdgeIn": {
        "name": "edge-eu-1",
        "url": "http://127.0.0.1:8101",
        "region": "eu-west",
        "token": "edge-token-0123456789abcdef",
    },
    "InteractionsIn": {
        "events": [
            {"user_id": "alice", "item_id": "42", "kind": "post", "type": "like"},
            {
                "user_id": "alice",
                "item_id": "v-cats",
                "kind": "video",
                "type": "watch",
                "watch_seconds": 37.5,
            },
        ]
    },
    "KeyRequest": {"user_id": "alice", "roles": ["user"]},
    "LiveIn": {"title": "Friday night test card"},
    "LinkIn": {"url": "https://www.python.org/about/", "alias": "py-about", "ttl_seconds": 86400},
    "MessageIn": {"to": "bob", "text": "Lunch at noon?"},
    "NodeStateIn": {"up": False},
    "PostIn": {"text": "Shipping the watch page today #video @bob"},
    "PreferencesIn": {
        "channels": {"email": True, "sms": False},
        "categories": {"marketing": {"email": False, "push": False}},
        "timezone": "Europe/Dublin",
        "quiet_hours": {"start": "22:00", "end": "07:00"},
    },
    "ProfileIn": {"email": "alice@example.org", "timezone": "Europe/Dublin", "locale": "en"},
    "PurgeIn": {"prefix": "/videos/"},
    "PreloadIn": {"paths": ["/cdn-demo/master.m3u8"], "edges": ["edge-eu-west"]},
    "RankRequest": {
        "viewer": "alice",
        "candidates": [
            {"post_id": "101", "author": "bob", "text_len": 42, "engagements": 7, "views": 120},
            {"post_id": "102", "author": "carol", "n_hashtags": 2, "has_media": True},
        ],
    },
    "ReplayIn": {"ids": ["n-0123456789"]},
    "SendBody": {
        "user_id": "alice",
        "template": "welcome",
        "data": {"name": "Alice"},
        "priority": "normal",
    },
    "SqlRequest": {
        "sql": "SELECT level, count(*) AS n FROM logs GROUP BY level ORDER BY n DESC",
        "max_rows": 100,
    },
    "TemplateIn": {"subject": "Welcome, {{ name }}", "body": "Hello {{ name }}, glad you came."},
    "UserIn": {"display_name": "Alice", "bio": "Data engineer. Likes cats on skis."},
    "ValueIn": {"value": {"plan": "pro", "seats": 5}, "ttl_s": 300},
    "WatchIn": {"seconds": 10, "position_s": 30, "rendition": "720p"},
    "ShopProductIn": {
        "code": "mug-enamel",
        "title": "Enamel camping mug",
        "description": "A sturdy mug for the trail",
        "category": ["Kitchen", "Mugs"],
        "attributes": {"colour": "blue", "capacity_ml": 350},
        "variants": [{"sku": "mug-enamel-blue", "price": 1250}],
    },
    "ShopProductPatch": {"title": "Enamel camping mug, 350 ml"},
    "ShopPriceIn": {"price": 1350},
    "ShopReceiptIn": {"warehouse_id": "uk-1", "qty": 100},
    "ShopWarehouseIn": {"id": "uk-1", "country": "United Kingdom", "priority": 0},
    "ShopCartLineIn": {"qty": 2},
    "ShopMergeIn": {"guest_token": "Zm9vYmFyYmF6cXV4MDEyMzQ1Njc4OQ"},
    "ShopCheckoutIn": {"country": "United Kingdom", "payment_method": "pm_card_visa"},
    "ShopTransitionIn": {"action": "pack", "note": "two boxes"},
    "ShopTrackingIn": {"note": "Arrived at the Leeds sorting centre"},
    "ShopRefundIn": {"amount": 500},
    "ShopReviewIn": {"rating": 5, "body": "Keeps coffee warm on cold mornings."},
    "ShopReportIn": {"reason": "advertises another shop"},
    "ShopModerationIn": {"action": "hide"},
    "ShopTicketIn": {"subject": "Where is my parcel?", "body": "It has been a week."},
    "ShopTicketMessageIn": {"body": "It arrived today, thank you."},
    "LocationsIn": {"points": [{"lat": 41.8837, "lng": -87.6289}]},
    "QuoteIn": {
        "pickup": {"lat": 41.8837, "lng": -87.6289},
        "dropoff": {"lat": 41.8950, "lng": -87.6200},
    },
    "TripIn": {"quote_id": "q_0123456789abcdef0123", "payment_method": "pm_card_visa"},
    "RatingIn": {"stars": 5},
}


def _calls(dependant: Dependant) -> set[str]:
    names = set()
    for dep in dependant.dependencies:
        if dep.call is not None:
            names.add(getattr(dep.call, "__name__", ""))
        names |= _calls(dep)
    return names


def _api_routes(app: FastAPI) -> list[Any]:
    """Every API route in the schema, routers included (FastAPI 0.16x includes routers
    lazily: ``iter_route_contexts`` walks them; older versions copy routes into the app)."""
    walk = getattr(fastapi_routing, "iter_route_contexts", None)
    found = list(walk(app.routes)) if walk is not None else list(app.routes)
    return [
        r
        for r in found
        if isinstance(getattr(r, "original_route", r), APIRoute) and r.include_in_schema
    ]


def _problem_response(status: int) -> dict[str, Any]:
    return {
        "description": REASONS[status],
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


def error_statuses(route: Any, method: str) -> set[int]:
    """The error statuses an operation's shape can produce (see the module docstring)."""
    calls = _calls(route.dependant)
    flat = route.dependant
    takes_input = bool(
        flat.path_params or flat.query_params or flat.body_params or flat.header_params
    )
    statuses = {429, 503}
    if takes_input:
        statuses |= {400, 422}
    if calls & (REQUIRES_KEY | READS_KEY):
        statuses.add(401)
    if calls & REQUIRES_KEY:
        statuses.add(403)
    if takes_input:  # a path, a query or a body names users, posts, files...
        statuses.add(404)
    if flat.body_params or method in ("POST", "PUT", "PATCH"):
        statuses |= {400, 413}
    if method in ("POST", "PUT", "PATCH", "DELETE") or route.operation_id in CONFLICTS:
        statuses.add(409)  # a change can conflict with the current state
    if "_tus_user" in calls:  # tus: 412 without Tus-Resumable, 415 for a PATCH body type
        statuses |= {412, 415} if method == "PATCH" else {412}
    return statuses | EXTRA.get(route.operation_id, set())


def describe(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document with security, problem responses and examples."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {})
    components["securitySchemes"] = {
        "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        "Bearer": {"type": "http", "scheme": "bearer", "description": "the same API key"},
    }
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for name, example in EXAMPLES.items():
        if name in schemas:
            schemas[name]["examples"] = [deepcopy(example)]
    for route in _api_routes(app):
        calls = _calls(route.dependant)
        for method in route.methods:
            op = schema["paths"].get(route.path_format, {}).get(method.lower())
            if op is None:
                continue
            responses = op.setdefault("responses", {})
            responses.pop("422", None)
            for status in sorted(error_statuses(route, method)):
                responses.setdefault(str(status), _problem_response(status))
            created = responses.get("201") or responses.get("202")
            if route.operation_id in REPLAYS and created and "200" not in responses:
                responses["200"] = {**deepcopy(created), "description": REPLAYS[route.operation_id]}
            if calls & REQUIRES_KEY:
                op["security"] = deepcopy(SECURITY)
            elif calls & READS_KEY:
                op["security"] = [{}, *deepcopy(SECURITY)]
    app.openapi_schema = schema
    return schema


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs`` and ``/redoc`` from local assets, over :func:`describe`'s document.
    Create the app with ``docs_url=None, redoc_url=None``."""
    app.openapi = lambda: describe(app)  # type: ignore[method-assign]
    app.mount(ASSETS_URL, StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - API",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
            swagger_ui_parameters={"persistAuthorization": True, "tryItOutEnabled": True},
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - API reference",
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
