"""Shapes a slot takes in pipeline and build tools' output: a process tag opening the line with
some pairs on some lines only, dot leaders padding a column, build labels, a key printed quoted
in some lines and in brackets in others, and a word and a value trading places between two
events. Every line here is invented."""

from __future__ import annotations

import random

from warehouse.logs.masking import mask_message, mask_token
from warehouse.logs.mining import grouping_accuracy, mine_lines


def _mined(lines: list[str]) -> list[int]:
    return [tid for _, tid, _ in mine_lines(lines)]


def test_a_process_tag_of_pairs_opening_the_line_is_one_value_whatever_pairs_it_holds() -> None:
    r = random.Random(3)
    lines, truth = [], []
    for i in range(400):
        tag = r.choice(
            (
                f"(pid={r.randint(100, 9999)})",
                f"(pid={r.randint(100, 9999)}, ip=10.1.{r.randint(0, 255)}.{r.randint(1, 254)})",
                f"(Loader pid={r.randint(100, 9999)}, ip=10.2.0.{r.randint(1, 254)})",
                f"(Loader pid={r.randint(100, 9999)})",
            )
        )
        k = i % 3
        msg = (
            f"shard {r.randint(0, 99)} read {r.randint(1, 10**6)} rows",
            f"spilled {r.randint(1, 900)} MiB to disk",
            "connection to head node lost",
        )[k]
        lines.append(f"{tag} {msg}")
        truth.append(k)
    assert grouping_accuracy(_mined(lines), truth) == 1.0
    assert mask_message("(pid=7, ip=10.0.0.1) done") == "(<*>) done"
    assert mask_message("(see above) done") == "(see above) done"


def test_a_leader_of_dots_is_one_token_whatever_its_length() -> None:
    r = random.Random(4)
    lines, truth = [], []
    for i in range(300):
        name = "_".join(r.choice(("ka", "lozel", "mirendri", "vo")) for _ in range(r.randint(1, 4)))
        status, k = (("[OK]", 0), ("[SKIP]", 1))[i % 2]
        lines.append(f"{i % 60:02d}:00:00  check {name} " + "." * (40 - len(name)) + f" {status}")
        truth.append(k)
    assert grouping_accuracy(_mined(lines), truth) == 1.0
    assert mask_token("....") == mask_token("...........") == "..."


def test_a_build_label_is_one_value() -> None:
    assert mask_token("//src/core/net:client") == "<*>"
    assert mask_token("'//tools:lint'") == "'<*>'"


def test_a_key_quoted_in_some_lines_and_bracketed_in_others_is_one_slot() -> None:
    r = random.Random(5)
    lines = []
    for _ in range(300):
        key = f"merge-part-{r.getrandbits(64):016x}"
        shown = r.choice((f"'{key}'", f"('{key}', {r.randint(0, 99)})"))
        fn = r.choice(("ka", "lozel", "mi", "ren", "su", "ta", "vo", "zel")) + "_step"
        lines.append(f"task failed key: {shown} in {fn} after {r.randint(1, 9)} tries")
    assert len(set(_mined(lines))) == 1


def test_a_word_and_a_value_trading_places_are_two_events() -> None:
    r = random.Random(6)
    lines, truth = [], []
    for i in range(300):
        if i % 3:
            path = "/srv/" + "/".join(r.choice(("ka", "lo", "mi")) for _ in range(r.randint(1, 3)))
            lines.append(f"INFO: checked file {path} ({r.randint(1, 999)} blocks read)")
            truth.append(0)
        else:
            lines.append(
                f"INFO: checked {r.randint(2, 999)} files ({r.randint(1, 999)} blocks read)"
            )
            truth.append(1)
    assert grouping_accuracy(_mined(lines), truth) == 1.0
