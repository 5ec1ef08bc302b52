"""OpenAPI fuzzer: schemathesis drives every operation of the platform app, in process.

The app is ``services.app.create_app`` on its own data directory, reached through
schemathesis' ASGI transport (no server, no socket). It is fuzzed twice, as a user whose key
the admin issues through ``POST /auth/keys`` and then as the admin (``X-API-Key`` is pinned
per pass; every other parameter, header and body is generated). First a few resources are
made through the API (profiles, posts, a message, a link, a cache key, a notification user
and template) and a video is catalogued; their ids are offered to the generator half of the
time, so requests get past "not found" into the code that reads their bodies. Every query
and path parameter and JSON body field is also offered edge values (``fuzz_target.EDGE_*``:
integers past 64 bits, NUL and control characters, lone surrogates in JSON) that generators
seldom reach on their own.

What fails a run (a "finding"):

- ``not_a_server_error``: any 5xx, except a 503 that is an RFC 9457 problem document (the
  platform's deliberate "unavailable, retry": no search index yet, no healthy CDN edge). An
  exception escaping the app is caught at its edge and answered 500, and the finding names
  the exception and the project line that raised it. A request unanswered within
  ``REQUEST_TIMEOUT_S`` counts here too.
- ``response_schema_conformance``: a body that breaks the schema the OpenAPI document gives
  for its status and media type; and an operation whose schema in the document is itself
  invalid (``openapi_document``: schemathesis cannot check that operation at all).
- ``problem_document`` (ours): every 4xx, and a 503, is ``application/problem+json`` whose
  ``status`` is the HTTP status, with a string ``title`` and ``detail``: the platform's
  error contract (``services/problems.py``).
- ``status_code_conformance`` and ``content_type_conformance``: every status and media
  type sent is one the document declares for that operation (``services.openapi`` declares
  the problem responses each operation's shape can produce).

Relaxed on purpose: ``positive_data_acceptance`` and ``negative_data_rejection`` are off: a
schema cannot say which ids exist or which domain
rules apply, so they flag correct 404s and 422s.

Excluded (``EXCLUDED``): the Server-Sent Event streams and the file changes long-poll. They
hold the request open until their own time limit, so in process every case would wait out the
read timeout; their behaviour is tested in ``tests/services/feed/test_feed.py``,
``tests/services/notify/test_inbox.py``, ``tests/services/files/test_api.py`` and
``tests/services/booking/test_api.py``.

Network: during a run the process may connect only to loopback and resolve only
``localhost`` and IP literals (``loopback_only``). Fuzzed URLs reach code that calls out
(CDN edge probes and purges, link safety lookups); none of it leaves the machine.

Deterministic: derandomised with a fixed seed, no example database, each phase run once (no
time-driven extra cycles), ``max_examples`` per operation and phase, and a global deadline
that stops a run early (and says so) rather than let it overrun.

``make fuzz`` (``python -m benchmarks.fuzz_openapi``) runs ``LONG_BUDGET``, prints the cases
per operation and every finding, and ends with ``RESULT fuzz_operations=N fuzz_cases=M
server_errors=K schema_mismatches=J`` (distinct findings, by root cause); it exits 1 when
there is any. ``tests/services/test_fuzz_openapi.py`` runs ``CI_BUDGET``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.core.errors import InvalidSchema
from schemathesis.engine import Status, events, from_schema
from schemathesis.python import asgi as st_asgi

from benchmarks.fuzz_target import (
    CrashRecorder,
    edge_bindings,
    loopback_only,
    platform_settings,
    seed,
    with_surrogates,
)

# (method, path) -> why it is not fuzzed.
EXCLUDED: dict[tuple[str, str], str] = {
    ("GET", "/feed/stream"): "Server-Sent Events, open until max_seconds",
    ("GET", "/notifications/inbox/stream"): "Server-Sent Events, open until the client leaves",
    ("GET", "/files/changes"): "long-poll, open up to its wait when nothing changes",
    ("GET", "/booking/live"): "Server-Sent Events, open until the client leaves",
}
REQUEST_TIMEOUT_S = 10
SEED = 20
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Budget:
    max_examples: int  # per operation and phase (the coverage phase adds its own cases)
    deadline_s: float  # the whole run, all callers
    seed: int = SEED


CI_BUDGET = Budget(max_examples=25, deadline_s=240)
LONG_BUDGET = Budget(max_examples=200, deadline_s=1200)


@dataclass
class Finding:
    kind: str  # "server_error" or "schema_mismatch"
    check: str
    cause: str  # what the finding is deduplicated by, in words
    operations: set[str]
    statuses: set[int]
    callers: set[str]
    detail: str
    reproduce: str  # the shortest failing request seen, as curl
    cases: int = 1

    def render(self) -> str:
        statuses = ",".join(map(str, sorted(self.statuses))) or "-"
        detail = [line for line in self.detail.splitlines() if line.strip()][:4]
        return (
            f"[{self.kind}] {self.check}: {self.cause}\n"
            f"    operations: {', '.join(sorted(self.operations))}\n"
            f"    status {statuses}, as {'/'.join(sorted(self.callers))}, {self.cases} case(s)\n"
            + "".join(f"    | {line}\n" for line in detail)
            + f"    reproduce: {self.reproduce}"
        )


@dataclass
class FuzzReport:
    planned: set[str] = field(default_factory=set)  # operations in the document, less EXCLUDED
    operations_by_caller: dict[str, set[str]] = field(default_factory=dict)
    cases_by_operation: Counter = field(default_factory=Counter)
    failing_cases: int = 0
    findings: dict[tuple, Finding] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # what the harness itself could not run
    stopped_early: list[str] = field(default_factory=list)
    seeded: dict[str, list[str]] = field(default_factory=dict)
    elapsed_s: float = 0.0

    @property
    def operations(self) -> set[str]:
        return set().union(*self.operations_by_caller.values())

    @property
    def cases(self) -> int:
        return sum(self.cases_by_operation.values())

    def of_kind(self, kind: str) -> list[Finding]:
        return sorted((f for f in self.findings.values() if f.kind == kind), key=lambda f: f.cause)

    @property
    def server_errors(self) -> int:
        return len(self.of_kind("server_error"))

    @property
    def schema_mismatches(self) -> int:
        return len(self.of_kind("schema_mismatch"))

    def add(self, key: tuple, finding: Finding) -> None:
        known = self.findings.setdefault(key, finding)
        if known is finding:
            return
        known.cases += 1
        known.operations |= finding.operations
        known.statuses |= finding.statuses
        known.callers |= finding.callers
        if len(finding.reproduce) < len(known.reproduce):
            known.reproduce, known.detail = finding.reproduce, finding.detail

    def summary(self, per_operation: bool = False) -> str:
        lines = []
        if per_operation:
            lines += [f"{n:>7}  {op}" for op, n in sorted(self.cases_by_operation.items())]
        lines += [
            f"fuzzed {len(self.operations)} of {len(self.planned)} operations ("
            + ", ".join(f"as {c}: {len(o)}" for c, o in self.operations_by_caller.items())
            + f"), {self.cases} cases, {self.failing_cases} failing, in {self.elapsed_s:.0f}s",
            "excluded: " + "; ".join(f"{m} {p} ({why})" for (m, p), why in EXCLUDED.items()),
            "seeded ids: " + ", ".join(f"{k}={v}" for k, v in self.seeded.items()),
        ]
        lines += [f"stopped early: {s}" for s in self.stopped_early]
        lines += [f"harness error: {e}" for e in self.errors]
        lines += [f.render() for f in self.of_kind("server_error")]
        lines += [f.render() for f in self.of_kind("schema_mismatch")]
        return "\n".join(lines)

    def result_line(self) -> str:
        return (
            f"RESULT fuzz_operations={len(self.operations)} fuzz_cases={self.cases} "
            f"server_errors={self.server_errors} schema_mismatches={self.schema_mismatches}"
        )


# --- checks -------------------------------------------------------------------------------


@schemathesis.check
def problem_document(ctx, response, case) -> bool | None:
    """A 4xx, or a deliberate 503, is an RFC 9457 problem document with its own status."""
    status = response.status_code
    if not (400 <= status < 500 or status == 503) or case.method.upper() == "HEAD":
        return None
    headers = {k.lower(): v for k, v in response.headers.items()}
    if not (headers.get("content-type") or [""])[0].startswith("application/problem+json"):
        raise AssertionError(f"a {status} is not application/problem+json")
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        raise AssertionError(f"a {status} problem document is not JSON") from None
    if not isinstance(body, dict) or body.get("status") != status:
        raise AssertionError(f"a {status} problem document does not carry status {status}")
    if not all(isinstance(body.get(k), str) for k in ("title", "detail")):
        raise AssertionError(f"a {status} problem document lacks a string title or detail")
    return None


CHECKS = {
    "enabled": False,
    "not_a_server_error": {"enabled": True, "expected-statuses": ["2xx", "3xx", "4xx", "503"]},
    "response_schema_conformance": {"enabled": True},
    "status_code_conformance": {"enabled": True},
    "content_type_conformance": {"enabled": True},
    "problem_document": {"enabled": True},
}


# --- the run ------------------------------------------------------------------------------


def _config(
    budget: Budget, key: str, ids: dict[str, list[str]], document: dict
) -> SchemathesisConfig:
    seeded = {f"path.{name}": f"seeded_{name}" for name in ids}
    if "handle" in ids:  # the other party of a DM thread
        seeded["path.other"] = "seeded_handle"
    dictionaries, parameters = edge_bindings(document, skip={k[5:] for k in seeded})
    dictionaries |= {f"seeded_{name}": {"values": values} for name, values in ids.items()}
    parameters |= {k: {"dictionary": d, "probability": 0.5} for k, d in seeded.items()}
    parameters["header.x-api-key"] = key
    generation = {"deterministic": True, "max-examples": budget.max_examples, "database": "none"}
    return SchemathesisConfig.from_dict(
        {
            "seed": budget.seed,
            "continue-on-failure": True,
            "request-timeout": REQUEST_TIMEOUT_S,
            "cache": {"enabled": False},
            "output": {"sanitization": {"enabled": False}},  # keys are named by _curl
            "generation": generation,
            "checks": CHECKS,
            "phases": {"stateful": {"enabled": False}},
            "dictionaries": dictionaries,
            "parameters": parameters,
        }
    )


def fuzz_app(
    app,
    budget: Budget,
    callers: dict[str, str],
    *,
    ids: dict[str, list[str]] | None = None,
    excluded: dict[tuple[str, str], str] = EXCLUDED,
    report: FuzzReport | None = None,
    progress: Callable[[str], None] | None = None,
) -> FuzzReport:
    """Fuzz the ASGI ``app`` once per caller (label -> API key) within ``budget``."""
    report = report or FuzzReport()
    target = app if isinstance(app, CrashRecorder) else CrashRecorder(app)
    started = time.monotonic()
    try:
        with st_asgi.get_client(target) as client:
            document = client.get("/openapi.json").json()
        report.planned |= {
            f"{m.upper()} {p}"
            for p, ops in document["paths"].items()
            for m in ops
            if m in METHODS and (m.upper(), p) not in excluded
        }
        for n, (caller, key) in enumerate(callers.items(), start=1):
            config = _config(budget, key, ids or {}, document)
            schema = schemathesis.openapi.from_asgi("/openapi.json", target, config=config)
            for method, path in excluded:
                schema = schema.exclude(method=method, path=path)
            # A pass may run until its share of the deadline; an unused share carries over.
            until = started + budget.deadline_s * n / len(callers)
            stream = from_schema(schema).execute()
            _consume(stream, report, target, caller, key, until, progress)
    finally:
        st_asgi.shutdown_lifespans()  # the app's shutdown hooks, as a server would run them
        report.elapsed_s = time.monotonic() - started
    return report


def _consume(stream, report: FuzzReport, target, caller: str, key: str, until, progress) -> None:
    ran = report.operations_by_caller.setdefault(caller, set())
    for event in stream:
        if time.monotonic() > until and not stream.stop_event.is_set():
            report.stopped_early.append(f"as {caller}: the deadline came; the rest was skipped")
            stream.stop()
        if isinstance(event, events.ScenarioFinished):
            if event.recorder.interactions:
                ran.add(event.label)
                report.cases_by_operation[event.label] += len(event.recorder.interactions)
            _scenario_findings(event, report, target, caller, key)
            if progress is not None:
                progress(f"as {caller}: {event.phase.value} {event.label} {event.status.value}")
        elif isinstance(event, events.NonFatalError):
            _error_finding(event, report, caller, key)
        elif isinstance(event, events.FatalError):
            report.errors.append(f"as {caller}: {event.exception!r}")


def _scenario_findings(
    event, report: FuzzReport, target: CrashRecorder, caller: str, key: str
) -> None:
    recorder = event.recorder
    for case_id, checks in recorder.checks.items():
        failed = [c for c in checks if c.status == Status.FAILURE and c.failure_info]
        report.failing_cases += bool(failed)
        for check in failed:
            failure = check.failure_info.failure
            response = recorder.find_response(case_id=case_id)
            status = response.status_code if response is not None else None
            operation = failure.operation or event.label
            # A 503 passes not_a_server_error only to be held to the problem contract here.
            if check.name == "not_a_server_error" or status == 503:
                kind = "server_error"
                crash = target.crashes.get(case_id)
                if crash is not None:
                    root: tuple = (kind, crash.exception, crash.where)
                    cause, detail = f"{crash.exception} at {crash.where}", crash.message
                else:
                    root = (kind, operation, status)
                    cause = f"{operation} answered {status}"
                    detail = response.content[:300].decode("utf-8", "replace") if response else ""
            else:
                if status is not None and status >= 500:
                    continue  # the server error is the finding, not its body
                kind, detail = "schema_mismatch", failure.message
                schema_path = [str(p) for p in getattr(failure, "schema_path", None) or []]
                if check.name == "problem_document":  # one contract: one finding per breach
                    cause = failure.message.splitlines()[0]
                    root = (kind, check.name, cause)
                elif schema_path:  # the same field breaking the same rule: one root cause
                    cause = f"{failure.title} at {'/'.join(schema_path)}"
                    root = (kind, check.name, *schema_path[-2:])
                else:
                    cause = failure.title
                    root = (kind, check.name, operation, status, cause)
            reproduce = _curl(check.failure_info.code_sample, caller, key)
            statuses = {status} - {None}
            finding = Finding(
                kind, check.name, cause, {operation}, statuses, {caller}, detail, reproduce
            )
            report.add(root, finding)


def _error_finding(event, report: FuzzReport, caller: str, key: str) -> None:
    error, label = event.value, event.label
    reproduce = _curl(event.info.code_sample or "", caller, key)
    if isinstance(error, InvalidSchema):
        cause = str(error).splitlines()[0]
        reproduce = reproduce or "curl http://testserver/openapi.json"
        finding = Finding(
            kind="schema_mismatch",
            check="openapi_document",
            cause=cause,
            operations={label},
            statuses=set(),
            callers={caller},
            detail=str(error),
            reproduce=reproduce,
        )
        report.add(("schema_mismatch", "openapi_document", label, cause), finding)
    elif "timeout" in type(error).__name__.lower():
        cause = f"no answer within {REQUEST_TIMEOUT_S}s"
        finding = Finding(
            kind="server_error",
            check="request_timeout",
            cause=cause,
            operations={label},
            statuses=set(),
            callers={caller},
            detail=str(error)[:300],
            reproduce=reproduce,
        )
        report.add(("server_error", "request_timeout", label), finding)
    else:
        report.errors.append(f"as {caller}: {label}: {type(error).__name__}: {str(error)[:300]}")


def _curl(code_sample: str, caller: str, key: str) -> str:
    """The curl line of a schemathesis code sample, the caller's key named, not shown."""
    lines = [line.strip() for line in code_sample.splitlines() if "curl " in line]
    curl = lines[-1] if lines else code_sample.strip()
    if key:
        curl = curl.replace(key, f"${caller.upper()}_KEY")
    return with_surrogates(curl)


def fuzz_platform(settings, emitter, budget: Budget, progress=None) -> FuzzReport:
    """Fuzz ``create_app(settings, emitter)`` as a user, then as the admin, on seeded data."""
    from services.app import create_app

    target = CrashRecorder(create_app(settings, emitter))
    report = FuzzReport()
    with loopback_only():
        try:
            with st_asgi.get_client(target) as client:  # starts the app's lifespan
                user_key, report.seeded = seed(client, settings.admin_api_key, target.app)
        except BaseException:
            st_asgi.shutdown_lifespans()
            raise
        # The user first: the admin's pass may delete what both use.
        callers = {"user": user_key, "admin": settings.admin_api_key}
        fuzz_app(target, budget, callers, ids=report.seeded, report=report, progress=progress)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=LONG_BUDGET.max_examples)
    parser.add_argument("--deadline-s", type=float, default=LONG_BUDGET.deadline_s)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("-v", "--verbose", action="store_true", help="print every scenario")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # the app logs what it rejects; the report says enough
    budget = Budget(args.max_examples, args.deadline_s, args.seed)
    print(f"fuzzing the platform app in process: {budget}", flush=True)
    progress = (lambda line: print(line, flush=True)) if args.verbose else None
    with (
        tempfile.TemporaryDirectory(prefix="bp-fuzz-") as tmp,
        platform_settings(Path(tmp) / "data") as (settings, emitter),
    ):
        report = fuzz_platform(settings, emitter, budget, progress=progress)
    print(report.summary(per_operation=True))
    print(report.result_line(), flush=True)
    return 1 if report.findings or report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
