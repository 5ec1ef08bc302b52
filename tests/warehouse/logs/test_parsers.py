from datetime import UTC, datetime

import orjson
import pytest

from warehouse.logs.enrich import LEVELS, normalize_level, to_row
from warehouse.logs.parsers import MalformedLine, detect_format, parse_line
from warehouse.logs.process import LogProcessor

NGINX = (
    '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 '
    '"http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"'
)
RFC5424 = (
    "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 1234 ID47 "
    '[exampleSDID@32473 iut="3" eventSource="Application"][req request_id="r-9"] started'
)
RFC3164 = "<34>Oct 11 22:14:15 mymachine su[230]: 'su root' failed for lonvick on /dev/pts/8"


@pytest.mark.parametrize(
    ("line", "fmt"),
    [
        ('{"msg": "x"}', "json"),
        ("level=info msg=hello user=bob", "logfmt"),
        (NGINX, "combined"),
        (RFC5424, "syslog5424"),
        (RFC3164, "syslog3164"),
        ("Jun 14 15:16:01 combo sshd[19939]: authentication failure", "syslog3164"),
        ("just some words = here", "text"),
    ],
)
def test_format_is_detected_from_the_line_itself(line, fmt):
    assert detect_format(line) == fmt
    assert parse_line(line).format == fmt


def test_json_fields_map_to_columns_and_the_rest_to_attrs():
    p = parse_line(
        '{"time": 1714557600, "severity": "WARN", "message": "disk low", '
        '"service": "db", "request_id": "abc", "free_mb": 12}'
    )
    assert p.ts == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert (p.level, p.message, p.service, p.request_id) == ("WARN", "disk low", "db", "abc")
    assert p.attrs == {"free_mb": 12}


def test_logfmt_handles_quoted_values_with_spaces_and_escapes():
    p = parse_line('ts=2024-05-01T10:00:01Z level=error msg="conn \\"db\\" refused" retry=3')
    assert p.message == 'conn "db" refused'
    assert p.level == "error" and p.attrs == {"retry": "3"}
    assert p.ts == datetime(2024, 5, 1, 10, 0, 1, tzinfo=UTC)


def test_combined_access_log_fields_and_status_driven_level():
    p = parse_line(NGINX)
    assert p.ts == datetime(2000, 10, 10, 20, 55, 36, tzinfo=UTC)
    assert p.attrs["status"] == 200 and p.attrs["bytes"] == 2326
    assert p.attrs["path"] == "/apache_pb.gif" and p.attrs["user"] == "frank"
    assert p.attrs["user_agent"].startswith("Mozilla/4.08")
    err = parse_line('10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "POST /x HTTP/1.1" 503 -')
    assert normalize_level(err.level) == "error"


def test_rfc5424_header_structured_data_and_severity():
    p = parse_line(RFC5424)
    assert (p.host, p.service, p.message) == ("mymachine.example.com", "evntslog", "started")
    assert normalize_level(p.level) == "info"  # 165 % 8 == 5: notice
    assert p.attrs["sd"]["exampleSDID@32473"] == {"iut": "3", "eventSource": "Application"}
    assert p.request_id == "r-9"
    assert p.ts == datetime(2003, 10, 11, 22, 14, 15, 3000, tzinfo=UTC)


def test_rfc3164_without_year_takes_the_closest_year():
    now = datetime(2024, 1, 2, tzinfo=UTC)
    from warehouse.logs.parsers import parse_syslog3164

    p = parse_syslog3164("<34>Dec 31 23:59:00 host app: bye", now=now)
    assert p.ts.year == 2023 and p.service == "app" and p.host == "host"
    assert normalize_level(p.level) == "critical"  # 34 % 8 == 2
    assert parse_line(RFC3164).attrs["pid"] == "230"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"msg": "unterminated', "invalid JSON"),
        ("[1, 2]", None),
        ("<34>not syslog at all", "RFC 3164"),
        ("<999>1 2003-10-11T22:14:15Z h a - - - m", "PRI"),
        ("bad\x00bytes", "control characters"),
        ("x" * 70_000, "longer than"),
    ],
)
def test_malformed_lines_raise_with_a_reason(line, reason):
    if reason is None:  # a JSON array is free text, not a log object
        assert parse_line(line).format == "text"
        return
    with pytest.raises(MalformedLine) as info:
        parse_line(line)
    assert reason in info.value.reason


def test_explicit_format_rejects_lines_that_do_not_match():
    with pytest.raises(MalformedLine, match="combined"):
        parse_line("hello world", "combined")


@pytest.mark.parametrize(
    ("raw", "level"),
    [
        ("WARN", "warning"),
        ("Err", "error"),
        ("fatal", "critical"),
        (3, "error"),
        (40, "error"),
        ("20", "info"),
        ("notice", "info"),
        ("trace", "debug"),
        (None, "unknown"),
        ("banana", "unknown"),
    ],
)
def test_levels_normalise_onto_a_fixed_set(raw, level):
    assert normalize_level(raw) == level
    assert level in LEVELS


def test_enrichment_prefers_the_lines_own_service_and_fills_defaults():
    row = to_row(parse_line("level=info msg=hi"), service="web", host="h9")
    got = (row["service"], row["host"], row["level"], row["format"])
    assert got == ("web", "h9", "info", "logfmt")
    row = to_row(parse_line('{"msg": "x", "service": "db"}'), service="web")
    assert row["service"] == "db"
    assert row["ts"].endswith("+00:00")


def test_processor_quarantines_malformed_lines_with_reason_and_keeps_good_ones():
    proc = LogProcessor(service="svc", templater=False)
    out = proc.process_lines(["level=info msg=ok", "{oops", "", "free text line"])
    assert len(out.rows) == 2 and out.blank == 1
    (q,) = out.quarantined
    assert q["table_name"] == "logs" and "invalid JSON" in q["reason"] and q["raw"] == "{oops"


def test_processor_accepts_objects_and_raw_strings_and_quarantines_other_items():
    proc = LogProcessor(templater=False)
    out = proc.process_records([{"msg": "a", "level": "warn"}, "level=error msg=b", 42])
    assert [r["level"] for r in out.rows] == ["warning", "error"]
    assert "int" in out.quarantined[0]["reason"]
    assert orjson.loads(out.quarantined[0]["raw"]) == 42
