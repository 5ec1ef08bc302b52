"""Every operation in the OpenAPI spec needs an API key, except a short documented list.

Each operation is called without credentials (path parameters filled with a placeholder): one
that answers anything but 401 must be on ``PUBLIC``, with the reason it may be open. A new
route that forgets its key, or a public one that starts to need one, fails here.
"""

from __future__ import annotations

import re

PUBLIC: dict[str, str] = {
    "healthz": "liveness for load balancers",
    "metrics": "Prometheus scrapes it; HTTP counters only",
    "cdn_regions": "the regions clients may name when asking for an edge",
    "cdn_route": "clients are routed to their nearest healthy edge before they hold a key",
    "crawl_search": "search over public web pages the crawler fetched",
    "trends": "trending hashtags, aggregated over public posts",
    "social_get_post": "posts are public, as on the social networks it models",
    "social_get_user": "profiles are public",
    "social_followers": "follower lists are public",
    "social_following": "following lists are public",
    "social_user_timeline": "a user's own posts are public",
    "social_search_posts": "search over public posts",
    "social_search_users": "search over public profiles",
    "similar_items": "item-to-item similarity: no user's data in it",
    "models_serving": "which model versions serve: no user's data in it",
    "video_list": "the public video catalogue",
    "video_search": "search over the public catalogue",
    "video_get": "a catalogue entry",
    "video_comments": "comments are public",
    "video_playback": "playback manifests: anonymous viewers may watch",
    "video_file": "segments and playlists: anonymous viewers may watch",
    "video_media": "segments and playlists at the descriptor's paths: anonymous viewers may watch",
    "video_thumb": "poster and thumbnails: anonymous viewers may watch",
    "video_watch_page": "the player page: anonymous viewers may watch",
    "video_view": "anonymous viewers count as views",
    "video_watch": "anonymous viewers report watch time",
    "video_live_file": "live playlists and segments: anonymous viewers may watch",
    "video_drm_key": "the key server: the signed, expiring playback token is the credential",
    "video_drm_license": "the ClearKey license server: the playback token is the credential",
    "booking_webhook": "the payment gateway calls it; each delivery is verified by its HMAC "
    "signature (Stripe-Signature), not an API key",
    "video_upload_options": "tus discovery (OPTIONS) is unauthenticated by the tus protocol",
    "files_upload_options": "tus discovery (OPTIONS) is unauthenticated by the tus protocol",
    "files_shared_meta": "share links: the token in the path is the credential",
    "files_shared_download": "share links: the token in the path is the credential",
    "files_shared_upload": "write share links: the token in the path is the credential",
    "notify_open_pixel": "mail clients load it with no key; its signed token names a delivery",
    "notify_unsubscribe_page": "the email's unsubscribe link; a signed token, changes nothing",
    "notify_unsubscribe": "RFC 8058: the one-click POST carries no credentials, only the token",
    "shop_guest_cart_new": "a shopper not logged in gets a cart; its token is the credential",
    "shop_guest_cart": "guest carts: the token in the path is the credential",
    "shop_guest_cart_set": "guest carts: the token in the path is the credential",
}


def _operations(spec: dict) -> list[tuple[str, str, str]]:
    return [
        (method.upper(), path, op["operationId"])
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
    ]


def test_every_operation_needs_a_key_unless_documented_public(client):
    spec = client.get("/openapi.json").json()
    open_without_key = {}
    for method, path, operation in _operations(spec):
        url = re.sub(r"\{[^}]+\}", "x1", path)
        body = {} if method in ("POST", "PUT", "PATCH") else None
        status = client.request(method, url, json=body).status_code
        if status != 401:
            open_without_key[operation] = status
    assert set(open_without_key) - set(PUBLIC) == set(), "operations open without a key"
    assert set(PUBLIC) - set(open_without_key) == set(), "public list names closed operations"


def test_the_public_list_names_only_operations_that_exist(client):
    spec = client.get("/openapi.json").json()
    assert set(PUBLIC) <= {operation for _m, _p, operation in _operations(spec)}
