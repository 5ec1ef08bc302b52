"""Values printed to a fixed width, numbers that read as clocks, and protocol names with a
version: each line of one event mined to one template."""

from __future__ import annotations

from warehouse.logs.headers import HeaderStripper
from warehouse.logs.masking import mask_message
from warehouse.logs.mining import mine_lines
from warehouse.logs.structured_lines import structured_message


def _templates(lines: list[str]) -> set[str]:
    return {text for _, _, text in mine_lines(lines)}


def _stripped(lines: list[str]) -> list[str]:
    h = HeaderStripper()
    h.learn(lines)
    return [h.strip(line) for line in lines]


def test_a_counter_padded_inside_brackets_glued_to_the_clock_stays_in_the_header() -> None:
    messages = ["Warning: peer {} dropped after {} ticks", "Display: loaded zone {} of {}"]
    lines = [
        f"[2031.05.{d:02d}-08.15.{d:02d}:{d * 37 % 1000:03d}][{frame:>3}]LogQuux: "
        + messages[d % 2].format(d, d * 3)
        for d, frame in zip(range(1, 29), [4, 58, 731, 9, 812, 66, 305, 1] * 4, strict=False)
    ]
    assert _stripped(lines) == [messages[d % 2].format(d, d * 3) for d in range(1, 29)]
    assert len(_templates(lines)) == 2


def test_a_number_padded_after_its_key_is_one_pair_of_a_key_value_line() -> None:
    padded = "rows=   12 rate= 3.5 depth=7 total=  881kB"
    full = "rows=12345 rate=99.5 depth=7 total=4410021kB"
    assert structured_message(padded) == "rows=12 rate=3.5 depth=7 total=881kB"
    assert structured_message(full) == full
    assert mask_message("encoded frame=  12 in 3 passes") == mask_message(
        "encoded frame=4567 in 3 passes"
    )
    lines = [
        f"rows={n:>5} rate={n % 97:>4.1f} depth={n % 7} total={n * 31:>8}kB"
        for n in (3, 47, 512, 9081, 12345, 77, 6, 40404, 88, 1234)
    ]
    assert len(_templates(lines)) == 1


def test_a_name_before_its_port_groups_with_an_address_before_its_port() -> None:
    # "localhost:8080" and "10.0.0.5:8080" fill one slot: a number glued to a name is not a
    # padded label's value, or the names would open templates of their own
    lines = []
    for i in range(300):
        target = ("localhost", "broker")[i % 2] if i % 3 else f"10.0.{i % 7}.{i % 250 + 1}"
        head = f"2031-05-0{1 + i % 9} 08:15:{i % 60:02d},{i:03d} INFO  [main] "
        if i % 5 < 3:
            lines.append(head + f"Connected to {target}:{9000 + i} after {i % 50} ms")
        else:
            lines.append(head + f"Lost connection to {target}:{80 + i}")
    assert _templates(lines) == {"Connected to <*> after <*>", "Lost connection to <*>"}


def test_a_protocol_named_with_its_version_is_event_text() -> None:
    assert mask_message("slot 3 IPv6 route fe80::1 added") == "slot <*> IPv6 route <*> added"
    lines = []
    for i in range(60):
        family = "IPv4" if i % 3 else "IPv6"
        addr = f"10.0.{i}.1" if family == "IPv4" else f"fd00::{i:x}"
        lines.append(f"slot {i % 4} {family} route {addr} added")
    assert _templates(lines) == {
        "slot <*> IPv4 route <*> added",
        "slot <*> IPv6 route <*> added",
    }


def test_a_short_decimal_after_a_label_opening_a_line_is_its_value() -> None:
    lines = ["SRAM:  3.5 MiB", "Boot banner reached", "SRAM:  2 MiB", "Flash:  16 MiB"]
    assert _stripped(lines)[0] == "SRAM:  3.5 MiB"
    assert len(_templates(lines * 5)) == 3


def test_a_number_opening_a_line_before_a_unit_is_a_quantity() -> None:
    lines = []
    for n in (812, 4410551, 73, 90210334, 5521, 1200448, 64, 300123):
        lines += [f"{n} bytes copied in {n % 90 + 1} ms", "Handing over to the kernel ..."]
        lines += [f"Checking image at 0x{n:08x} ... OK"]
    assert [m for m in _stripped(lines) if "copied" in m] == lines[::3]
    assert len(_templates(lines)) == 3
