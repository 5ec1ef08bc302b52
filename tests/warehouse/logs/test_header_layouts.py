"""Header layouts learned from the stream itself, on synthetic logs of the hard layouts.

Each layout in :mod:`tests.warehouse.logs.synthetic_formats` is generated with known templates;
the header must be cut off exactly and the grouping must match the truth, with the shipped
defaults and no hint of which layout it is.
"""

from __future__ import annotations

import pytest

from tests.warehouse.logs.synthetic_formats import FORMATS, MESSAGES, generate
from warehouse.logs.headers import HeaderStripper
from warehouse.logs.mining import grouping_accuracy, mine_lines


def _first_words(k: int) -> str:
    return MESSAGES[k][0].split("{")[0].strip()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("seed", [1, 2])
def test_templates_of_each_layout_are_grouped_as_the_truth(fmt: str, seed: int) -> None:
    lines, truth = generate(fmt, 1200, seed)
    pred = [tid for _, tid, _ in mine_lines(lines)]
    assert grouping_accuracy(pred, truth) >= 0.97


@pytest.mark.parametrize("fmt", sorted(set(FORMATS) - {"cbs", "glued", "proxy_programs"}))
def test_learned_header_is_cut_where_the_message_starts(fmt: str) -> None:
    lines, truth = generate(fmt, 300, 3)
    hs = HeaderStripper()
    hs.learn(lines[:200])
    wrong = [
        line
        for line, k in zip(lines, truth, strict=True)
        if not hs.strip(line).startswith(_first_words(k))
    ]
    assert len(wrong) <= 0.02 * len(lines), wrong[:3]


def test_fields_fused_by_a_separator_are_one_header_whatever_their_clock_looks_like() -> None:
    lines = [
        f"{20240100 + d}-{h}:{m}:{d}:{ms}|Sync_{c}|{1000 + ms}|upload finished in {ms} ms"
        for d, h, m, ms, c in [(1, 3, 7, 5, "A"), (2, 13, 22, 61, "B"), (3, 0, 0, 999, "A")] * 20
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert {hs.strip(line).split(" in ")[0] for line in lines} == {"upload finished"}


def test_a_message_holding_separators_is_not_taken_for_fused_fields() -> None:
    lines = [f"exit status {i} | retry {i % 3} of 5" for i in range(50)]
    hs = HeaderStripper()
    hs.learn(lines)
    assert hs.strip(lines[7]) == lines[7]


def test_words_between_numeric_header_columns_are_header_too() -> None:
    lines = [
        f"{9000 + i} node-{i % 40} {('hw', 'net')[i % 2]} {('boot', 'halt')[i % 2]} "
        f"{1_200_000_000 + 37 * i} {i % 2} link {('up', 'down')[i % 3 == 0]} on port {i}"
        for i in range(120)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert all(hs.strip(line).startswith("link ") for line in lines)


def test_a_node_column_with_some_unnumbered_names_is_still_header() -> None:
    # one node in five has a name without digits; three word columns then the epoch
    names = ("gateway", "switch_module")
    lines = [
        f"{9000 + i} {names[i % 2] if i % 5 == 0 else f'node-{i % 40}'} "
        f"{('hw', 'net')[i % 2]} {('boot', 'halt')[i % 2]} {('a', 'b')[i % 3 == 0]} "
        f"{1_200_000_000 + 37 * i} {i % 2} link {('up', 'down')[i % 3 == 0]} on port {i}"
        for i in range(120)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert all(hs.strip(line).startswith("link ") for line in lines)


def test_a_message_with_a_number_in_some_lines_only_keeps_its_words() -> None:
    lines = [
        f"2024-01-01 10:00:{i % 60:02d} " + ("retry 3 failed" if i % 3 else "all good here")
        for i in range(90)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert hs.strip(lines[0]) == "all good here"
    assert hs.strip(lines[1]) == "retry 3 failed"


def test_a_padded_fixed_width_column_after_the_level_is_header() -> None:
    comps = ("DISK", "NETW", "SCHED")
    lines = [
        f"2024-02-0{1 + i % 9} 10:{i % 60:02d}:00, {('Info', 'Warning')[i % 2]:<12} "
        f"{comps[i % 3]:<6} task {i} finished"
        for i in range(100)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert {hs.strip(line).split()[0] for line in lines} == {"task"}


def test_double_spaces_inside_messages_do_not_make_a_column() -> None:
    lines = [
        f"2024-02-01 10:00:{i % 60:02d} INFO {'x' * (i % 7)}  moved to  slot {i}"
        for i in range(100)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert hs.strip(lines[5]) == f"{'x' * 5}  moved to  slot 5"


def test_header_after_the_level_is_the_run_most_lines_share() -> None:
    # one logger then a request context in every line; a second bracket opens some messages
    lines = []
    for i in range(120):
        ctx = "[-]" if i % 5 == 0 else f"[req-{i:04x}aa {i * 7:08x} - - -]"
        msg = f"[instance: {i:06x}] vm started" if i % 2 else f"image {i:06x} checked"
        lines.append(
            f"2022-01-05 10:00:{i % 60:02d}.{i:03d} {900 + i} INFO svc.mod{i % 3} {ctx} {msg}"
        )
    hs = HeaderStripper()
    hs.learn(lines)
    assert [hs.strip(line) for line in lines[:2]] == [
        "image 000000 checked",
        "[instance: 000001] vm started",
    ]


def test_a_level_word_in_only_some_lines_is_message_text() -> None:
    lines = [
        f"[01.{1 + i % 28:02d} 10:00:{i % 60:02d}] app{i % 4}.exe - host{i}.example.net:443 "
        + ("error : connection canceled" if i % 3 else "open through proxy")
        for i in range(150)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert hs.strip(lines[1]).endswith("error : connection canceled")
    assert hs.strip(lines[1]) != "connection canceled"


def test_a_quoted_request_line_between_value_columns_is_message() -> None:
    lines = [
        f"10.0.{i % 9}.{i % 250} - - [10/Oct/2000:13:{i % 60:02d}:36 -0700] "
        f'"GET /img/{i}.gif HTTP/1.0" {200 + i % 2} {2000 + i} "-" "agent/{i % 3}"'
        for i in range(100)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert all(hs.strip(line).startswith('"GET /img/') for line in lines)


def test_a_fused_date_and_time_with_a_space_is_one_header_field() -> None:
    lines = [
        f"2024-03-{1 + i % 28:02d} 10:{i % 60:02d}:07.{i:03d}|{('INFO', 'WARN')[i % 2]}|"
        f"Cart{'AB'[i % 2]}|{('cart saved', 'cache hit ratio')[i % 2]} {i}"
        for i in range(100)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert {hs.strip(line).rsplit(" ", 1)[0] for line in lines} == {"cart saved", "cache hit ratio"}


_HOSTS = ("amber-gate", "birch-relay", "cedar-edge", "dune-cache", "elm-proxy")
_EVENTS = ("cache hit ratio {} percent", "upstream {} timed out", "queue depth {} items")


def test_a_host_column_without_digits_after_the_clock_is_header() -> None:
    lines = [
        f"{1_700_000_000 + 13 * i}.{i % 1000:03d} {_HOSTS[i * 7 % 5]} " + _EVENTS[i % 3].format(i)
        for i in range(150)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert {hs.strip(line).split()[0] for line in lines} == {"cache", "upstream", "queue"}


def test_a_message_s_first_word_after_the_clock_stays_message() -> None:
    lines = [f"{1_700_000_000 + 13 * i} " + _EVENTS[i % 3].format(i) for i in range(150)]
    hs = HeaderStripper()
    hs.learn(lines)
    assert {hs.strip(line).split()[0] for line in lines} == {"cache", "upstream", "queue"}


def test_padded_tab_fields_and_messages_without_spaces_keep_the_fused_header() -> None:
    lines = [
        f"2024-03-{1 + i % 28:02d}\t10:00:{i % 60:02d}:{i:03d}\t{100 + i:>5}\tAgent\t"
        + (f"total={i}##{i * 3}##{i % 7}" if i % 3 else f"  * Updates to download = {i}")
        for i in range(120)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert {hs.strip(line)[:5] for line in lines} == {"total", "* Upd"}


_WORDS = ("flushed {} rows", "peer {} joined", "disk {} at ninety percent")


def _with_lead(i: int, line: str, lead: str) -> str:
    """``line`` behind ``lead`` on every third line (about a third of them), bare otherwise."""
    return f"{lead} {line}" if i % 3 == 0 else line


def test_a_level_moved_by_a_leading_column_on_some_lines_is_still_found() -> None:
    lines = [
        _with_lead(
            i,
            f"2024-03-0{1 + i % 9} 10:{i % 60:02d}:00,{i:03d} {('INFO', 'WARN')[i % 2]} "
            f"[exec-{i % 5}] app.Store - " + _WORDS[i % 3].format(i),
            f"{i:07d}",
        )
        for i in range(150)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert {hs.strip(line).split()[0] for line in lines} == {"flushed", "peer", "disk"}


def test_a_row_of_value_columns_behind_a_record_number_on_some_lines_is_cut_the_same() -> None:
    lines = [
        _with_lead(
            i,
            f"node-{i % 40} fan {('ok', 'hot')[i % 2]} {1_700_000_000 + 7 * i} {i % 2} "
            + _WORDS[i % 3].format(i),
            str(1000 + i),
        )
        for i in range(150)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert {hs.strip(line).split()[0] for line in lines} == {"flushed", "peer", "disk"}


_SOURCES = ("Service Control Manager", "Disk Watch", "Time-Service")


@pytest.mark.parametrize("quoted", [False, True])
def test_comma_fields_led_by_a_level_with_a_source_of_several_words_are_header(
    quoted: bool,
) -> None:
    rows = [
        (
            ("Information", "Warning")[i % 2],
            f"{1 + i % 12}/{1 + i % 28}/2026 {1 + i % 12}:0{i % 10}:1{i % 10} "
            + ("AM", "PM")[i % 2],
            _SOURCES[i % 3],
            str(7000 + i % 3),
            "None",
            f"The {i} service entered the running state, after {i % 7} tries.",
        )
        for i in range(120)
    ]
    if quoted:
        lines = [",".join(f'"{f}"' for f in row) for row in rows]
    else:
        lines = [",".join(row) for row in rows]
    hs = HeaderStripper()
    hs.learn(lines)
    assert [hs.strip(line) for line in lines] == [row[-1] for row in rows]


def test_a_message_with_commas_after_a_clock_s_milliseconds_is_not_cut_at_them() -> None:
    # one comma after the clock is its milliseconds, not a header of comma-joined fields
    lines = [
        f"2024-03-0{1 + i % 9} 10:00:{i % 60:02d},{i:03d} Store: saved {i} rows, {i % 4} left"
        for i in range(120)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    for i, line in enumerate(lines):
        assert hs.strip(line).endswith(f"saved {i} rows, {i % 4} left")
        assert not hs.strip(line)[0].isdigit()


def test_pipe_fields_behind_an_extra_field_on_some_lines_are_counted_from_the_clock() -> None:
    lines = [
        _with_lead(
            i,
            f"2024030{1 + i % 9}-10:00:{i % 60:02d}:{i:03d}|Step_{('Walk', 'Screen')[i % 2]}|"
            f"{30000000 + i}|" + _WORDS[i % 3].format(i),
            f"relay{i % 4}|",
        ).replace("| ", "|")
        for i in range(150)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert [hs.strip(line) for line in lines] == [_WORDS[i % 3].format(i) for i in range(150)]


def test_value_columns_behind_an_alert_tag_column_are_header() -> None:
    lines = [
        f"{'-' if i % 4 else 'HWERR'} {1000 + i} {1_700_000_000 + 7 * i} node-{i % 40} "
        f"{('fan', 'psu', 'link')[i % 3]} {('ok', 'hot')[i % 2]} "
        + ("flushed rows {}", "peer {} joined", "disk at ninety percent")[i % 5 % 3].format(i)
        for i in range(150)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert {hs.strip(line).split()[0] for line in lines} == {"flushed", "peer", "disk"}


def test_free_text_whose_second_word_is_a_number_keeps_its_first_word() -> None:
    lines = [f"{('started', 'stopped')[i % 2]} {i} workers on {1000 + i}" for i in range(150)]
    hs = HeaderStripper()
    hs.learn(lines)
    assert {hs.strip(line).split()[0] for line in lines} == {"started", "stopped"}


_METHODS = ("GET", "POST", "HEAD", "DELETE")


def test_a_quoted_request_line_of_varied_methods_after_the_clock_is_message() -> None:
    lines = [
        f"10.0.{i % 9}.{i % 250} - - [10/Oct/2000:13:{i % 60:02d}:36 -0700] "
        f'"{_METHODS[i % 4]} /p/{i * 37 % 1000} HTTP/1.1" 200 {2000 + i} "-" "agent/{i % 3}"'
        for i in range(100)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert {hs.strip(line).split()[0] for line in lines} == {f'"{m}' for m in _METHODS}


def _hex_tag(i: int) -> str:
    """A six-digit hex tag; now and then one holds letters only."""
    if i % 25 == 0:
        return "".join("abcdef"[(i + k * 5) % 6] for k in range(6))
    return f"{i * 2654435761 % 16**6:06x}"


def test_a_hex_tag_column_is_header_also_where_a_tag_holds_no_digit() -> None:
    lines = [
        f"2024-03-{1 + i % 28:02d} 10:{i % 60:02d}:07 #{1000 + i}(worker) <{_hex_tag(i)}>; "
        + _EVENTS[i % 3].format(i)
        for i in range(150)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert {hs.strip(line).split()[0] for line in lines} == {"cache", "upstream", "queue"}
