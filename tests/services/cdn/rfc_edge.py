"""The set-up shared by the edge's HTTP-caching conformance tests (``test_rfc9111_*`` and
``test_shared_cache``): a real edge process in front of a scripted conformance origin, and the
requests they make through it.

Each case is a fresh URL whose origin answers are scripted in order; "reused" means the second
request never reached the origin, "not reused" that it did. Staleness comes from ``Age``,
``Date`` and ``Expires`` values (and ``max-age=0``) rather than from sleeping, so the files run
in seconds. A test module takes the edge with
``from tests.services.cdn.rfc_edge import conformance_edge  # noqa: F401`` (the fixture is
named ``edge``, overriding the scripted-origin edge of ``conftest``); ``origin`` comes from
``conftest``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import httpx
import pytest

from services.cdn.process import ServerProcess, start_edge
from tests.services.cdn.rfc_origin import Answer, Case, ConformanceOrigin

Headers = Sequence[tuple[str, str | int]]
FRESH = [("Cache-Control", "max-age=3600"), ("Date", 0)]
#: One keep-alive client for the whole session (closed by ``conftest.conformance_client``): a
#: connection per request would dominate the tests' time.
CLIENT = httpx.Client(timeout=10, trust_env=False)


@pytest.fixture(scope="module", name="edge")
def conformance_edge(
    origin: ConformanceOrigin, cdn_settings, conformance_client: httpx.Client
) -> Iterator[ServerProcess]:
    """This module's edge process in front of the conformance origin."""
    with start_edge(origin.url, name="edge-rfc", settings=cdn_settings) as proc:
        yield proc


def send(
    edge: ServerProcess,
    case: Case,
    headers: Sequence[tuple[str, str | bytes]] = (),
    method: str = "GET",
    content: bytes | None = None,
    path: str | None = None,
) -> httpx.Response:
    return CLIENT.request(
        method, edge.url + (path or case.path), headers=list(headers), content=content
    )


def reused(
    edge: ServerProcess,
    origin: ConformanceOrigin,
    response_headers: Headers,
    request: Sequence[tuple[str, str]] = (),
    first_request: Sequence[tuple[str, str]] = (),
    status: int = 200,
) -> bool:
    """Store one response, ask again; True when the second answer came from the cache."""
    case = origin.case(
        Answer(status, list(response_headers)), Answer(status, list(response_headers))
    )
    first = send(edge, case, first_request)
    assert first.status_code == status
    second = send(edge, case, request)
    assert second.status_code == status, second.text
    return case.count == 1
