"""The edge's HTTP-caching conformance figure: how many of the RFC 9111 / RFC 9110 / RFC 9213
behaviour tests (``tests/services/cdn/test_rfc9111_*.py`` and ``test_shared_cache.py``, a real
edge process in front of a scripted origin) pass, run as a separate pytest process so a crash
counts as failures.

Run: ``python -m benchmarks.cdn_rfc``; ends with ``RESULT cdn_rfc_tests=<passed>/<total>``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

CDN_TESTS = Path(__file__).resolve().parent.parent / "tests" / "services" / "cdn"
TESTS = (*sorted(CDN_TESTS.glob("test_rfc9111_*.py")), CDN_TESTS / "test_shared_cache.py")


def rfc_tests(timeout: float = 900.0) -> tuple[int, int]:
    """(passed, total) of the conformance tests; failures are listed on stdout."""
    with tempfile.TemporaryDirectory(prefix="cdn-rfc-") as tmp:
        report = Path(tmp) / "junit.xml"
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *map(str, TESTS)]
            + [f"--junitxml={report}", "-o", "junit_family=xunit2"],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
            cwd=CDN_TESTS.parents[2],
        )
        if not report.exists():
            print(proc.stdout[-3000:], proc.stderr[-3000:])
            return 0, 0
        suite = ET.parse(report).getroot()
        suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
        assert suite is not None
        total = int(suite.get("tests", 0))
        bad = sum(int(suite.get(k, 0)) for k in ("failures", "errors", "skipped"))
        for case in suite.iter("testcase"):
            if case.find("failure") is not None or case.find("error") is not None:
                print(f"  cdn rfc FAILED {case.get('name')}")
    return total - bad, total


def main() -> None:
    passed, total = rfc_tests()
    print(f"RESULT cdn_rfc_tests={passed}/{total}")


if __name__ == "__main__":
    main()
