"""The API docs work offline and teach: local Swagger UI and ReDoc assets, an API-key scheme
that matches which routes need a key, problem responses where errors occur, and request
examples the API accepts. (Responses are checked against the document by the fuzzer,
``tests/services/test_fuzz_openapi.py``, with status and media-type conformance on.)"""

from __future__ import annotations

import re

from services.openapi import EXTRA
from tests.services.test_public_operations import PUBLIC
from warehouse.ingest import ingest_spool

PATH_VALUES = {"locale": "en", "name": "welcome", "conv_id": "0" * 32, "seq": "1"}
ERRORS = ("400", "401", "403", "404", "409", "413", "422", "429")


def _operations(spec: dict) -> list[tuple[str, str, dict]]:
    return [(m.upper(), p, op) for p, ops in spec["paths"].items() for m, op in ops.items()]


def test_docs_pages_load_every_asset_from_this_server(client) -> None:
    for page in ("/docs", "/redoc"):
        html = client.get(page)
        assert html.status_code == 200
        sources = re.findall(r'(?:src|href)="([^"]+)"', html.text)
        sources += re.findall(r"url: '([^']+)'", html.text)
        assert sources, page
        for src in sources:
            assert not src.startswith(("http:", "https:", "//")), (page, src)
            assert client.get(src).status_code == 200, (page, src)


def test_every_keyed_operation_declares_the_api_key_scheme(client) -> None:
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["ApiKey"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    for method, path, op in _operations(spec):
        security = op.get("security")
        public = op["operationId"] in PUBLIC
        signed = 401 in EXTRA.get(op["operationId"], set())  # a provider's signature, no key
        if not public and not signed:  # answers 401 without a key: the key is required
            assert security and {} not in security, (method, path)
            assert "401" in op["responses"] and "403" in op["responses"]
        elif security:  # open to anonymous callers, reads a key when there is one
            assert {} in security, (method, path)


def test_a_key_sent_as_swagger_ui_sends_it_is_accepted(client, admin_headers) -> None:
    spec = client.get("/openapi.json").json()
    name = spec["components"]["securitySchemes"]["ApiKey"]["name"]
    assert client.get("/auth/me", headers={name: admin_headers["X-API-Key"]}).status_code == 200
    bearer = {"Authorization": f"Bearer {admin_headers['X-API-Key']}"}
    assert client.get("/auth/me", headers=bearer).status_code == 200


def test_error_responses_are_problem_documents_and_declared_where_they_occur(client) -> None:
    spec = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    declared = 0
    for method, path, op in _operations(spec):
        responses = op["responses"]
        assert "429" in responses, (method, path)  # the rate limit covers every route
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                media = response["content"]["application/problem+json"]["schema"]
                assert media == {"$ref": "#/components/schemas/Problem"}
        if "{" in path:
            assert "404" in responses, (method, path)
        if "requestBody" in op:
            assert {"400", "413", "422"} <= set(responses), (method, path)
        declared += any(s in responses for s in ERRORS)
    assert declared == len(_operations(spec))
    # And the 422 sent is the declared problem document, not FastAPI's default shape.
    sent = client.post("/auth/keys", json={}, headers={"X-API-Key": "x"})
    assert sent.headers["content-type"].startswith("application/problem+json")


def test_every_request_model_has_an_example_the_api_accepts(
    settings, emitter, admin_headers, monkeypatch
) -> None:
    from fastapi.testclient import TestClient

    from services.app import create_app

    # This machine is offline: the link example's host would not resolve here.
    monkeypatch.setenv("BLUEPRINT_SHORTENER_ALLOW_UNRESOLVABLE_TARGETS", "true")
    with TestClient(create_app(settings, emitter)) as client:
        # A log line in the lake, so the SQL example has its table.
        line = b'{"level": "info", "message": "ready"}\n'
        headers = {**admin_headers, "Content-Type": "application/x-ndjson"}
        assert client.post("/logs", content=line, headers=headers).status_code == 202
        emitter.flush()
        ingest_spool(settings.spool_dir, settings.lake_dir)
        _examples_are_accepted(client, admin_headers)


def _examples_are_accepted(client, admin_headers: dict[str, str]) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    checked = 0
    for method, path, op in _operations(spec):
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if not body:
            continue
        name = body["schema"]["$ref"].rsplit("/", 1)[1]
        [example] = schemas[name].get("examples", [None])
        assert example is not None, f"{name} has no example"
        url = re.sub(r"\{([^}]+)\}", lambda m: PATH_VALUES.get(m.group(1), "x1"), path)
        resp = client.request(method, url, json=example, headers=admin_headers)
        # The example may name things that do not exist here (404), but never breaks the
        # request schema (422) or reads as malformed (400).
        assert resp.status_code not in (400, 422), (method, path, name, resp.text)
        checked += 1
    assert checked >= 15
