"""The OpenAPI fuzzer in CI (``benchmarks.fuzz_openapi``, whose docstring says what fails a run
and why two schemathesis checks are off).

First the harness itself, on a small app with known faults, so a schemathesis upgrade or a
harness change that stops seeing crashes, schema breaks or bad error bodies fails here rather
than letting the platform run pass for nothing. Then the platform app, fuzzed in process with
``CI_BUDGET`` as a user and as the admin: no request may get a server error and no response may
break the OpenAPI document or the problem-document contract.
"""

from __future__ import annotations

import pickle
import re
import socket
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel

from benchmarks.fuzz_openapi import CI_BUDGET, EXCLUDED, Budget, FuzzReport, fuzz_app, fuzz_platform
from benchmarks.fuzz_target import loopback_only, platform_settings
from services.openapi import install_docs
from services.problems import install_problem_handlers


class Count(BaseModel):
    n: int


NOTE_BODY = {  # read raw, as a handler that takes `await request.json()` would
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"text": {"type": "string"}, "n": {"type": "integer"}},
            }
        }
    },
}


def _problem(status: int) -> JSONResponse:
    body = {"type": "about:blank", "title": "x", "status": status, "detail": "y"}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def faulty_app() -> FastAPI:
    """Framework errors (405, 422) are problem documents and the document declares the
    problem responses, as on the platform; the rest is not."""
    app = FastAPI(docs_url=None, redoc_url=None)
    install_problem_handlers(app)
    install_docs(app)

    @app.get("/crash", response_model=Count)
    def crash(n: int = Query(ge=0, le=1000)) -> Count:
        if n > 10:
            raise RuntimeError("n is too big for this route")  # the line a finding names
        return Count(n=n)

    @app.get("/wrong-body", response_model=Count)
    def wrong_body() -> JSONResponse:
        return JSONResponse({"n": "not a number"})

    @app.get("/busy", response_model=Count)
    def busy() -> JSONResponse:
        return _problem(503)

    @app.get("/plain-503", response_model=Count)
    def plain_503() -> PlainTextResponse:
        return PlainTextResponse("later", status_code=503)

    @app.get("/plain-404", response_model=Count)
    def plain_404() -> PlainTextResponse:
        return PlainTextResponse("nope", status_code=404)

    @app.get("/fine", response_model=Count)
    def fine(n: int = Query(0, ge=0, le=5)) -> Count:
        return Count(n=n) if n else _problem(409)

    @app.post("/notes", response_model=Count, openapi_extra={"requestBody": NOTE_BODY})
    async def notes(request: Request) -> Count:
        try:
            note = await request.json()
        except ValueError:
            note = None
        note = note if isinstance(note, dict) else {}
        if isinstance(note.get("text"), str):
            note["text"].encode("utf-8")  # a lone surrogate raises here
        if isinstance(note.get("n"), int):
            struct.pack("<q", note["n"])  # past 64 bits raises here
        return Count(n=1)

    @app.get("/pair", response_model=Count)
    def pair() -> Count:
        return Count(n=1)

    schema = app.openapi()  # break one operation's response schema, as a tuple once did
    ok = schema["paths"]["/pair"]["get"]["responses"]["200"]["content"]["application/json"]
    ok["schema"] = {"type": "array", "items": [{"type": "number"}, {"type": "number"}]}
    return app


def _fuzz_the_faulty_app() -> FuzzReport:
    return fuzz_app(faulty_app(), Budget(max_examples=100, deadline_s=60), {"anyone": "k"})


@pytest.fixture(scope="module")
def faulty_report() -> FuzzReport:
    """The faulty app's run, in a fresh interpreter: what the generator draws must not depend
    on what other tests did to this process before."""
    code = (
        "import pickle, sys; from tests.services.test_fuzz_openapi import _fuzz_the_faulty_app; "
        "sys.stdout.buffer.write(pickle.dumps(_fuzz_the_faulty_app()))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        timeout=300,
        check=True,
    )
    return pickle.loads(done.stdout)


def _findings(report: FuzzReport, kind: str, operation: str):
    return [f for f in report.of_kind(kind) if operation in f.operations]


def test_the_fuzzer_names_the_exception_and_line_of_a_crash_with_a_request_that_reproduces_it(
    faulty_report,
) -> None:
    [crash] = _findings(faulty_report, "server_error", "GET /crash")
    assert crash.cause.startswith("RuntimeError at tests/services/test_fuzz_openapi.py:")
    assert crash.cause.endswith(" in crash") and crash.statuses == {500}
    assert "n is too big" in crash.detail
    assert crash.reproduce.startswith("curl -X GET 'http://testserver/crash?n=")
    assert int(crash.reproduce.split("n=")[1].split("'")[0]) > 10


def test_the_fuzzer_reports_a_body_that_breaks_its_response_schema(faulty_report) -> None:
    [wrong] = _findings(faulty_report, "schema_mismatch", "GET /wrong-body")
    assert wrong.check == "response_schema_conformance" and wrong.statuses == {200}
    assert "properties/n/type" in wrong.cause


def test_the_fuzzer_reports_an_operation_whose_openapi_schema_is_invalid(faulty_report) -> None:
    [pair] = _findings(faulty_report, "schema_mismatch", "GET /pair")
    assert pair.check == "openapi_document"


def test_the_fuzzer_sends_lone_surrogates_and_integers_past_64_bits_in_json_bodies(
    faulty_report,
) -> None:
    crashes = _findings(faulty_report, "server_error", "POST /notes")
    found = {f.cause.split(" at ")[0]: f for f in crashes}
    assert set(found) == {"UnicodeEncodeError", "error"}  # struct.error
    assert "\\ud800" in found["UnicodeEncodeError"].reproduce
    assert "surrogates not allowed" in found["UnicodeEncodeError"].detail
    assert re.search(r"\"n\": -?\d{19,}", found["error"].reproduce)


def test_a_503_problem_document_passes_but_a_bare_503_is_a_server_error(faulty_report) -> None:
    assert _findings(faulty_report, "server_error", "GET /busy") == []
    assert _findings(faulty_report, "schema_mismatch", "GET /busy") == []
    [bare] = _findings(faulty_report, "server_error", "GET /plain-503")
    assert bare.cause == "GET /plain-503 answered 503"


def test_a_status_the_document_does_not_declare_is_a_schema_mismatch(faulty_report) -> None:
    # /fine is a read, so nothing declares a 409 for it; /busy's 503 is.
    [undeclared] = _findings(faulty_report, "schema_mismatch", "GET /fine")
    assert undeclared.check == "status_code_conformance" and undeclared.statuses == {409}


def test_an_error_that_is_not_a_problem_document_is_a_schema_mismatch(faulty_report) -> None:
    [plain] = [f for f in faulty_report.of_kind("schema_mismatch") if f.check == "problem_document"]
    assert plain.cause == "a 404 is not application/problem+json"
    assert plain.operations == {"GET /plain-404"}  # /fine's 409 is a problem document


def test_every_operation_of_the_faulty_app_ran_and_its_result_line_counts_findings(
    faulty_report,
) -> None:
    assert faulty_report.operations == faulty_report.planned and len(faulty_report.planned) == 8
    assert faulty_report.errors == [] and faulty_report.stopped_early == []
    line = faulty_report.result_line()
    assert line.startswith("RESULT fuzz_operations=8 fuzz_cases=")
    assert f"server_errors={faulty_report.server_errors} " in line
    assert faulty_report.server_errors == 4  # /crash, the two in /notes, and the bare 503


def test_during_a_run_the_process_reaches_loopback_only_and_after_it_anything() -> None:
    real = (socket.getaddrinfo, socket.socket.connect, socket.socket.sendto)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with loopback_only():
            with pytest.raises(socket.gaierror):
                socket.getaddrinfo("example.org", 80)
            with socket.socket() as s, pytest.raises(ConnectionRefusedError):
                s.connect(("10.255.255.1", 80))  # refused before any packet leaves
            with (
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s,
                pytest.raises(ConnectionRefusedError),
            ):
                s.sendto(b"x", ("192.0.2.1", 53))
            with socket.create_connection(server.getsockname(), timeout=2):
                pass
            assert socket.getaddrinfo("localhost", 80)
    assert (socket.getaddrinfo, socket.socket.connect, socket.socket.sendto) == real


# --- the platform app ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def platform_report(tmp_path_factory) -> FuzzReport:
    with platform_settings(tmp_path_factory.mktemp("fuzz") / "data") as (settings, emitter):
        report = fuzz_platform(settings, emitter, CI_BUDGET)
    print(report.summary(per_operation=True))
    print(report.result_line())
    return report


@pytest.mark.slow
def test_every_platform_operation_but_the_event_streams_is_fuzzed_as_user_and_as_admin(
    platform_report,
) -> None:
    report = platform_report
    assert {f"{m} {p}" for m, p in EXCLUDED}.isdisjoint(report.planned)
    assert len(report.planned) >= 70, sorted(report.planned)
    for caller in ("user", "admin"):
        missing = report.planned - report.operations_by_caller[caller]
        assert not missing, f"not fuzzed as {caller}: {sorted(missing)}"
    assert report.errors == [], report.summary()
    assert {"post_id", "video_id", "handle"} <= set(report.seeded), report.seeded


@pytest.mark.slow
def test_no_fuzzed_request_gets_a_server_error(platform_report) -> None:
    found = platform_report.of_kind("server_error")
    assert not found, "\n".join(f.render() for f in found)


@pytest.mark.slow
def test_no_fuzzed_response_breaks_the_openapi_document_or_the_problem_contract(
    platform_report,
) -> None:
    found = platform_report.of_kind("schema_mismatch")
    assert not found, "\n".join(f.render() for f in found)
