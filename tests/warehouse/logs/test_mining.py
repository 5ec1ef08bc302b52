"""Online template mining, the mine CSV interface and the grouping-accuracy metric."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from warehouse.logs.mining import (
    FIRST_REFINE,
    TemplateMiner,
    grouping_accuracy,
    mine_lines,
    mine_to_csv,
)


def test_lines_differing_in_variables_share_one_template() -> None:
    m = TemplateMiner()
    a = m.add("Received block blk_1 of size 67108864 from /10.0.0.1")
    b = m.add("Received block blk_2 of size 512 from /10.0.0.2")
    assert a.template_id == b.template_id
    assert b.template == "Received block <*> of size <*> from <*>"
    assert b.count == 2


def test_differing_words_are_merged_into_a_wildcard() -> None:
    m = TemplateMiner()
    first = m.add("Invalid user alice from somewhere")
    second = m.add("Invalid user bob from somewhere")
    assert first.template_id == second.template_id
    assert m.template(first.template_id) == "Invalid user <*> from somewhere"


def test_different_messages_get_different_templates() -> None:
    m = TemplateMiner()
    a = m.add("Connection closed by peer")
    b = m.add("Disk quota exceeded on volume")
    c = m.add("Connection closed by peer")
    assert a.template_id != b.template_id
    assert c.template_id == a.template_id


def test_ids_are_stable_and_listed_with_counts() -> None:
    m = TemplateMiner()
    ids = [m.add(msg).template_id for msg in ["a b c 1", "x y z", "a b c 2", "x y z", "a b c 3"]]
    assert ids == [ids[0], ids[1], ids[0], ids[1], ids[0]]
    listed = {t.template_id: (t.template, t.count) for t in m.templates()}
    assert listed == {ids[0]: ("a b c <*>", 3), ids[1]: ("x y z", 2)}


def test_a_first_word_binding_a_value_to_a_key_joins_a_template_whose_other_words_agree() -> None:
    m = TemplateMiner()
    units = ["sshd", "cron", "nginx", "postfix", "chronyd", "rsyslog"]
    sigs = [m.add_sig(f"unit={u} comm=systemd res=success") for u in units * 2]
    m.refine()
    assert len({m.template_of(s) for s in sigs}) == 1
    # a bare first word stays the event's name
    named = [m.add_sig(f"{u} started in {i} ms") for i, u in enumerate(units * 2)]
    assert len({m.template_of(s) for s in named}) == len(units)


def test_a_dotted_first_word_joins_a_template_whose_other_words_all_agree() -> None:
    m = TemplateMiner()
    pkgs = ["org.kavo.sync", "org.lota.drita", "net.suta.ren", "org.mi.tavo", "io.ka.po", "a.b.c"]
    sigs = [m.add_sig(f"{p}: job deferred for {i} seconds") for i, p in enumerate(pkgs * 2)]
    m.refine()
    assert len({m.template_of(s) for s in sigs}) == 1
    # another word differing too keeps them apart, and a bare first word is the event's name
    a = m.add_sig("mapred.job.id is deprecated, use mapreduce.job.id")
    b = m.add_sig("mapred.tip.id is deprecated, use mapreduce.task.id")
    c = m.add_sig("syncd started at boot")
    d = m.add_sig("klogd started at boot")
    m.refine()
    assert m.template_of(a) != m.template_of(b) and m.template_of(c) != m.template_of(d)


def test_a_name_glued_to_a_colon_joins_a_template_whose_other_words_all_agree() -> None:
    m = TemplateMiner()
    names = ["tarvo.unit", "pel_sorn/ka", "mirren-web", "quodd", "ulf.timer", "zax_pool/b"]
    sigs = [m.add_sig(f"{n}: Stopped cleanly.") for n in names * 2]
    sigs += [m.add_sig(f"{n}: rate moved from {i} to {i + 1}") for i, n in enumerate(names * 2)]
    m.refine()
    assert len({m.template_of(s) for s in sigs[: len(names) * 2]}) == 1
    assert len({m.template_of(s) for s in sigs[len(names) * 2 :]}) == 1
    # a label from a closed set of a few words is still the event's text
    warn = [m.add_sig(f"{w}: disk {i} is slow") for i, w in enumerate(["Note:", "Alarm:"] * 4)]
    m.refine()
    assert len({m.template_of(s) for s in warn}) == 2


def test_mine_lines_strips_headers_and_numbers_lines_from_one() -> None:
    lines = [
        "2024-01-01 10:00:00,001 INFO [main] a.B: started worker 1",
        "2024-01-01 10:00:00,002 INFO [main] a.B: started worker 2",
        "2024-01-01 10:00:01,000 WARN [main] a.C: disk nearly full",
    ]
    rows = list(mine_lines(lines))
    assert [r[0] for r in rows] == [1, 2, 3]
    assert rows[0][1] == rows[1][1] != rows[2][1]
    assert rows[0][2] == "started worker <*>"
    assert rows[2][2] == "disk nearly full"


def _read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_mine_to_csv_writes_header_and_one_row_per_line_in_order(tmp_path: Path) -> None:
    src = tmp_path / "app.log"
    src.write_text(
        "Jun 14 15:16:01 host app[1]: user alice, id 7, logged in\n"
        "\n"
        "Jun 14 15:16:02 host app[2]: user bob, id 8, logged in\n"
        "Jun 14 15:16:03 host app[3]: cache flushed\r\n"
        'Jun 14 15:16:04 host app[4]: said "hi"',
        encoding="utf-8",
    )
    out = io.StringIO()
    mine_to_csv(src, out)
    rows = _read_csv(out.getvalue())
    assert rows[0] == ["line", "template_id", "template"]
    body = rows[1:]
    assert [r[0] for r in body] == ["1", "2", "3", "4", "5"]
    assert body[0][1] == body[2][1]
    assert body[0][2] == "user <*>, id <*>, logged in"
    assert body[1][2] == ""  # an empty line still gets its row
    assert body[3][2] == "cache flushed"
    assert body[4][2] == 'said "hi"'
    assert all(r[1].isdigit() for r in body)
    # commas and quotes inside a template are quoted, not column breaks
    assert '1,1,"user <*>, id <*>, logged in"' in out.getvalue().splitlines()
    assert '5,4,"said ""hi"""' in out.getvalue().splitlines()


def test_mine_to_csv_quotes_templates_containing_commas(tmp_path: Path) -> None:
    src = tmp_path / "free.txt"
    src.write_text("a, b, c\n", encoding="utf-8")
    out = io.StringIO()
    mine_to_csv(src, out)
    assert out.getvalue().splitlines()[1] == '1,1,"a, b, c"'


def test_mine_lines_on_empty_input_yields_nothing() -> None:
    assert list(mine_lines([])) == []


@pytest.mark.parametrize(
    ("pred", "truth", "expected"),
    [
        ([1, 1, 2, 2], ["a", "a", "b", "b"], 1.0),
        ([1, 1, 1, 1], ["a", "a", "b", "b"], 0.0),  # over-merged: nobody correct
        ([1, 2, 3, 3], ["a", "a", "b", "b"], 0.5),  # a split: only the b lines correct
        ([1, 1, 2, 3, 3], ["a", "a", "a", "b", "b"], 0.4),
        ([7, 7, 7], ["x", "x", "x"], 1.0),
        ([], [], 1.0),
    ],
)
def test_grouping_accuracy_matches_hand_computed_values(pred, truth, expected) -> None:
    assert grouping_accuracy(pred, truth) == pytest.approx(expected)


def test_grouping_accuracy_rejects_unequal_lengths() -> None:
    with pytest.raises(ValueError):
        grouping_accuracy([1, 2], ["a"])


def test_online_miner_refines_by_itself_as_the_stream_grows() -> None:
    m = TemplateMiner()
    got = {}
    for i in range(300):
        state = ("opened", "closed")[i % 2]
        got.setdefault(state, set()).add(m.add(f"channel {i} {state} by peer").template_id)
    # once refined, later lines of each state land in their own template
    late = {s: m.add(f"channel 999 {s} by peer") for s in ("opened", "closed")}
    assert late["opened"].template_id != late["closed"].template_id
    assert late["opened"].template == "channel <*> opened by peer"
    assert late["opened"].count >= 150


def test_a_run_of_values_of_any_length_is_one_variable() -> None:
    m = TemplateMiner()
    a = m.add("ask 10.0.0.1:50010 to delete blk_1")
    b = m.add("ask 10.0.0.2:50010 to delete blk_2 blk_3 blk_4")
    assert a.template_id == b.template_id
    assert b.template == "ask <*> to delete <*>"


def test_mine_to_csv_counts_lines_like_a_log_system(tmp_path: Path) -> None:
    src = tmp_path / "odd.log"
    # a form feed and a lone carriage return stay inside their line; bad UTF-8 is replaced
    src.write_bytes(b"page\x0cbreak here\nold\rmac ending\nbad \xff byte\nlast without newline")
    out = io.StringIO()
    mine_to_csv(src, out)
    rows = _read_csv(out.getvalue())[1:]
    assert [r[0] for r in rows] == ["1", "2", "3", "4"]
    assert rows[2][2] == "bad \ufffd byte"


def test_mine_to_csv_on_an_empty_file_writes_only_the_header(tmp_path: Path) -> None:
    src = tmp_path / "empty.log"
    src.write_text("", encoding="utf-8")
    out = io.StringIO()
    mine_to_csv(src, out)
    assert out.getvalue() == "line,template_id,template\n"


def test_unrelated_messages_in_one_leaf_cost_bounded_time() -> None:
    import gc
    import random
    import string
    import time

    rng = random.Random(1)
    words = ["".join(rng.choice(string.ascii_lowercase) for _ in range(6)) for _ in range(5000)]
    lines = ["event " + " ".join(rng.choice(words) for _ in range(8)) for _ in range(4000)]
    # The suite's own heap is large by now; freeze it so the cyclic collector's passes over it
    # are not charged to the miner (a 0.7 s mine once measured 6.6 s late in a full run).
    gc.collect()
    gc.freeze()
    try:
        t0 = time.process_time()
        rows = list(mine_lines(lines))
        spent = time.process_time() - t0
    finally:
        gc.unfreeze()
    assert spent < 4.0  # an unbounded scan takes several times longer
    assert len({r[1] for r in rows}) == len(lines)  # nothing in common, nothing merged


def test_mine_lines_groups_json_and_logfmt_streams_by_message_template() -> None:
    import json
    import random

    rng = random.Random(7)
    users = ["ana", "bo", "cy", "dee", "eve", "fay", "gus"]
    makers = [
        ("login", lambda: f"user {rng.choice(users)} logged in from 10.0.{rng.randint(0, 9)}.1"),
        ("upload", lambda: f"stored {rng.randint(1, 10**6)} bytes in {rng.random():.3f} s"),
        ("cache", lambda: f"cache miss for key item:{rng.randint(1, 500)}"),
    ]
    lines, truth = [], []
    for i in range(600):
        name, make = rng.choice(makers)
        ts = f"2024-05-01T10:{i // 60:02d}:{i % 60:02d}Z"
        if i % 2:
            lines.append(json.dumps({"ts": ts, "level": "info", "msg": make()}))
        else:
            lines.append(f'time={ts} level=info msg="{make()}"')
        truth.append(name)
    pred = [tid for _, tid, _ in mine_lines(lines)]
    assert grouping_accuracy(pred, truth) == 1.0


def test_a_bracketed_first_word_is_a_variable_of_one_template() -> None:
    m = TemplateMiner()
    users = ("alice", "bob", "carol", "dave", "erin", "frank", "grace")
    sigs = [m.add_sig(f"({users[i % 7]}) CMD (run-parts /etc/cron.d/job{i})") for i in range(70)]
    m.refine()
    assert len({m.template_of(s) for s in sigs}) == 1


def test_a_bare_first_word_still_names_its_own_event() -> None:
    m = TemplateMiner()
    daemons = ("syslogd", "klogd", "portmap", "sdpd", "hcid", "crond")
    sigs = [m.add_sig(f"{d} startup succeeded") for d in daemons]
    assert len({m.template_of(s) for s in sigs}) == len(daemons)


def test_a_comma_separated_list_of_any_length_is_one_variable() -> None:
    m = TemplateMiner()
    ids = [m.add(f"cpus {', '.join(str(c) for c in range(k))} parked now") for k in (1, 2, 4, 3)]
    assert len({t.template_id for t in ids}) == 1
    assert ids[-1].template == "cpus <*> parked now"


def test_a_quoted_name_of_any_length_is_one_variable() -> None:
    m = TemplateMiner()
    names = ("Office", "Living Room", "Kitchen Sync Lock", "Main", "Room Lock", "Sync")
    ids = {m.add(f'set device name to "{n}" for en0').template_id for n in names}
    assert len(ids) == 1


def test_the_add_that_merges_its_own_template_returns_the_merged_template() -> None:
    # The refinement run by the 64th line merges "device <*> <*> connected" into
    # "device <*> connected": the line that triggered it must get the live template back.
    miner = TemplateMiner()
    words = ["amber", "basil", "cedar", "delta", "ember", "fjord", "garnet", "hazel"]
    words += ["indigo", "jasper", "kelp", "lilac", "maple", "nutmeg", "onyx"]
    for i in range(FIRST_REFINE - 14):
        miner.add(f"device {i} connected")
    for a, b in zip(words[:-2], words[1:-1], strict=True):
        miner.add(f"device {a} {b} connected")
    last = miner.add(f"device {words[-2]} {words[-1]} connected")
    assert miner.templates() == [last]
    assert last.template == "device <*> connected" and last.count == FIRST_REFINE


def test_a_chain_of_values_of_any_length_is_one_variable() -> None:
    m = TemplateMiner()
    sigs = [
        m.add_sig(f"open through chain {' -> '.join(f'10.0.{i}.{k}:80' for k in range(n))}")
        for i in range(30)
        for n in (2, 3, 4)
    ]
    m.refine()
    assert len({m.template_of(s) for s in sigs}) == 1


def test_events_opening_on_different_keys_are_routed_apart() -> None:
    # "acquire:lock=N" and "release:lock=N" name two events; a line of one that shares its
    # other fields with lines of the other still joins its own event
    m = TemplateMiner()
    for i in range(20):
        m.add_sig(f"release:lock={i}, flg=0x{i}, tag=a.Lock, name=org.a.b, ws=W{{1}}, uid={i}")
    tags = ["*alarm*", "job.Lock", "sync", "b.Lock", "*wake*"]
    names = ["org.c.d", "org.e.f", "org.g.h", "org.i.j", "org.k.l", "org.m.n"]
    acquired = [
        m.add_sig(f"acquire:lock={i}, flags=0x{i}, tag={t}, name={n}, ws=null, uid={i}")
        for i, t, n in ((i, tags[i % 5], names[i % 6]) for i in range(30))
    ]
    acquired.append(
        m.add_sig("acquire:lock=7, flags=0x1, tag=a.Lock, name=org.a.b, ws=W{1}, uid=3")
    )
    m.refine()
    assert len({m.template_of(s) for s in acquired}) == 1


def test_a_bracketed_first_word_joins_the_template_its_other_words_agree_with() -> None:
    # "(renta) RELOAD (x)" opened the leaf of "(renta)"; "(renta) CMD (y)" is a CMD line
    m = TemplateMiner()
    m.add_sig("(renta) RELOAD (/var/spool/cron/renta)")
    users = ["root", "kata", "mita", "zelvo", "lovo", "quita"]
    cmds = [m.add_sig(f"({u}) CMD (/usr/lib/{u}/run-{i})") for i, u in enumerate(users * 3)]
    cmds.append(m.add_sig("(renta) CMD (/usr/lib/renta/run-9)"))
    m.refine()
    assert len({m.template_of(s) for s in cmds}) == 1
