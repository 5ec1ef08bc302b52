"""The refinement view: enumerations split out of Drain's clusters, and templates of one event
merged back (``warehouse.logs.refinement``, driven through ``TemplateMiner``)."""

from __future__ import annotations

import threading

from warehouse.logs.mining import TemplateMiner, mine_lines


def test_refine_splits_a_template_whose_wildcard_is_a_small_enumeration() -> None:
    m = TemplateMiner()
    sigs = []
    for i in range(20):
        state = ("RUNNING", "STOPPED")[i % 2]
        sigs.append(m.add_sig(f"job {i} moved to state {state} quickly"))
    before = {m.template_of(s) for s in sigs}
    assert len(before) == 1 and "<*>" in m.template(before.pop())
    m.refine()
    running = {m.template_of(s) for s in sigs[0::2]}
    stopped = {m.template_of(s) for s in sigs[1::2]}
    assert len(running) == len(stopped) == 1 and running != stopped
    assert m.template(running.pop()) == "job <*> moved to state RUNNING quickly"
    # new lines follow the split templates
    assert m.add("job 99 moved to state STOPPED quickly").template_id == stopped.pop()


def test_a_key_whose_value_is_null_in_some_lines_is_one_variable() -> None:
    m = TemplateMiner()
    sigs = []
    for i in range(20):
        source = ("null", f"Source{{{i}}}", "None")[i % 3]
        sigs.append(m.add_sig(f"release lock={i}, ws={source}, uid={i}"))
    m.refine()
    assert len({m.template_of(s) for s in sigs}) == 1
    # a key with two plain words is still an enumeration of template text
    for i in range(20):
        m.add_sig(f"port {i} mode={('fast', 'slow')[i % 2]}")
    m.refine()
    assert {t.template for t in m.templates()} >= {"port <*> mode=fast", "port <*> mode=slow"}


def test_a_name_with_its_value_in_square_brackets_is_not_an_enumeration() -> None:
    m = TemplateMiner()
    sigs = [
        m.add_sig(f"connect from {host}[10.0.0.{i}] accepted")
        for i, host in enumerate(["kata-mipo", "vota-dri", "kata-mipo", "vota-dri", "su-ren"])
    ]
    m.refine()
    assert len({m.template_of(s) for s in sigs}) == 1


def test_refine_keeps_many_distinct_words_as_a_variable() -> None:
    m = TemplateMiner()
    names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]
    sigs = [m.add_sig(f"session opened for {n} by sshd") for n in names]
    m.refine()
    assert len({m.template_of(s) for s in sigs}) == 1


def test_a_split_that_turns_out_to_be_a_variable_is_merged_back() -> None:
    m = TemplateMiner(auto_refine=False)
    first = [m.add_sig(f"login ok for {n} on tty") for n in ("root", "admin")]
    m.refine()
    assert m.template_of(first[0]) != m.template_of(first[1])
    more = [m.add_sig(f"login ok for {n} on tty") for n in ("guest", "oracle", "test", "www")]
    m.refine()
    assert len({m.template_of(s) for s in first + more}) == 1
    assert m.template(m.template_of(first[0])) == "login ok for <*> on tty"


def test_an_optional_value_is_not_taken_for_an_enumeration() -> None:
    m = TemplateMiner(auto_refine=False)
    sigs = [
        m.add_sig(f"connection from 10.0.0.{i} ({h}.example.com) at noon")
        for i, h in enumerate("ab")
    ]
    sigs.append(m.add_sig("connection from 10.0.0.9 () at noon"))
    m.refine()
    assert len({m.template_of(s) for s in sigs}) == 1


def test_upper_case_states_are_an_enumeration_even_with_many_members() -> None:
    m = TemplateMiner(auto_refine=False)
    states = ["NEW", "SCHEDULED", "RUNNING", "SUCCEEDED", "FAILED", "KILLED"]
    sigs = [m.add_sig(f"task_{i} moved to {s} state") for i, s in enumerate(states * 3)]
    m.refine()
    assert len({m.template_of(s) for s in sigs}) == len(states)
    assert m.template(m.template_of(sigs[2])) == "<*> moved to RUNNING state"


def test_a_value_without_digits_in_a_masked_slot_does_not_split_the_template() -> None:
    m = TemplateMiner()
    sigs = [m.add_sig(f"token Window{{{i}a}} hidden now") for i in range(40)]
    odd = m.add_sig("token Window{dfcfcdd} hidden now")
    m.refine()
    assert {m.template_of(s) for s in sigs} == {m.template_of(odd)}


def test_a_word_before_a_masked_value_still_splits_as_an_enumeration() -> None:
    m = TemplateMiner()
    plain = [m.add_sig(f"session opened for user u{i} by (uid={i})") for i in range(30)]
    login = [m.add_sig(f"session opened for user u{i} by LOGIN(uid={i})") for i in range(3)]
    m.refine()
    assert len({m.template_of(s) for s in plain}) == 1
    assert {m.template_of(s) for s in login}.isdisjoint({m.template_of(s) for s in plain})


def test_templates_differing_only_in_a_variable_s_word_count_are_one() -> None:
    names = ("Living", "Room", "Office", "Kitchen", "Main", "Sync", "Lock")
    lines = [
        f"2024-01-01 10:00:{i % 60:02d} INFO device "
        + " ".join(names[(i + j) % 7] for j in range(1 + i % 3))
        + " connected with profile HFP"
        for i in range(90)
    ]
    rows = list(mine_lines(lines))
    assert len({tid for _, tid, _ in rows}) == 1
    assert rows[0][2] == "device <*> connected with profile HFP"


def test_a_rare_event_naming_different_packages_is_one_template() -> None:
    m = TemplateMiner()
    pkgs = ("com.cedar.app", "com.willow.client", "com.tundra.mobile")
    sigs = [m.add_sig(f"cancel notification pkg={p} id={i}") for i, p in enumerate(pkgs)]
    m.refine()
    assert len({m.template_of(s) for s in sigs}) == 1


def test_repeated_words_of_a_rare_slot_still_split_as_an_enumeration() -> None:
    m = TemplateMiner()
    sigs = [m.add_sig(f"job {i} moved to {s} state") for i, s in enumerate(["RUNNING", "DONE"] * 3)]
    m.refine()
    assert len({m.template_of(s) for s in sigs}) == 2


def test_a_series_of_device_names_is_a_variable_not_an_enumeration() -> None:
    m = TemplateMiner()
    sigs = [m.add_sig(f"Local disk sd{'abcd'[i % 4]} temperature {30 + i}C") for i in range(40)]
    m.refine()
    assert len({m.template_of(s) for s in sigs}) == 1


def test_states_of_one_length_that_differ_early_still_split() -> None:
    m = TemplateMiner()
    sigs = [m.add_sig(f"link {i} went {('down', 'dead')[i % 2]} now") for i in range(20)]
    m.refine()
    assert len({m.template_of(s) for s in sigs}) == 2


def test_words_the_log_wrote_as_account_names_are_a_variable_anywhere() -> None:
    names = ["root", "mail", "backup"]
    m = TemplateMiner()
    for i, name in enumerate(names * 4):
        m.add_sig(f"auth failure; rhost=10.0.0.{i} user={name}")
    sigs = [m.add_sig(f"Bad password for {n} from 10.1.2.{i}") for i, n in enumerate(names * 6)]
    m.refine()
    assert len({m.template_of(s) for s in sigs}) == 1


def test_a_few_words_never_written_as_names_still_split_as_an_enumeration() -> None:
    m = TemplateMiner()
    for i in range(10):
        m.add_sig(f"auth failure; rhost=10.0.0.{i} user=root")
    words = ["opened", "closed", "reset"]
    sigs = [m.add_sig(f"Channel {w} for peer 10.1.2.{i}") for i, w in enumerate(words * 6)]
    m.refine()
    assert len({m.template_of(s) for s in sigs}) == len(words)


def test_numbered_names_kept_as_text_are_one_variable_with_masked_ones() -> None:
    m = TemplateMiner()
    sigs = [m.add_sig(f"CPU{i % 16}: core temperature normal") for i in range(80)]
    sigs += [m.add_sig(f"CPU{i % 16}: throttled after {i} events") for i in range(80)]
    m.refine()
    assert len({m.template_of(s) for s in sigs[:80]}) == 1
    assert len({m.template_of(s) for s in sigs[80:]}) == 1
    assert m.template_of(sigs[0]) != m.template_of(sigs[80])


def test_an_enumeration_inside_one_of_several_events_of_a_cluster_is_split() -> None:
    # the events share a long constant prefix, so Drain puts them in one cluster, where the
    # other event fills the enumerated word's position with values
    m = TemplateMiner()
    prefix = "Servicing Provider Manager: PID=12 TID=34"
    staged, installed, switches = [], [], []
    for i in range(20):
        staged.append(m.add_sig(f"{prefix} Package pkg_{i} is being staged"))
        installed.append(m.add_sig(f"{prefix} Package pkg_{i} is being installed"))
        switches.append(m.add_sig(f"{prefix} Command switches: /Quiet /Online C:\\x\\{i}.cab"))
    m.refine()
    ids = [{m.template_of(s) for s in group} for group in (staged, installed, switches)]
    assert all(len(group) == 1 for group in ids)
    assert len(set.union(*ids)) == 3


def test_a_masked_name_with_a_colon_joins_numbered_names_kept_as_text() -> None:
    # names of two digits come first and make a template "<*>: ..."; those of one digit are
    # kept as text ("CPU3:") and generalise to a bare "<*>" in a template of their own
    m = TemplateMiner()
    sigs = [m.add_sig(f"CPU{10 + i % 6}: temperature above threshold") for i in range(40)]
    sigs += [m.add_sig(f"CPU{i % 10}: temperature above threshold") for i in range(40)]
    m.refine()
    assert len({m.template_of(s) for s in sigs}) == 1


def test_a_name_without_digits_in_a_list_of_values_joins_the_event_of_numbered_ones() -> None:
    # "worker-6," is masked with the value before it; "kata-mipo," is a word, generalised to a
    # bare "<*>" where the numbered names' template holds "<*>,"
    m = TemplateMiner()
    hosts = ["kata-mipo", "suta-vopo", "lovo-renta", "drita-naxpo", "mivo-sunax", "tavo-zel"]
    sigs = [
        m.add_sig(f"Lost task {i}.0 (TID {i}, worker-{i % 9}, executor {i})") for i in range(40)
    ]
    sigs += [
        m.add_sig(f"Lost task {i}.0 (TID {i}, {hosts[i % 6]}, executor {i})") for i in range(20)
    ]
    m.refine()
    assert len({m.template_of(s) for s in sigs}) == 1


def test_a_template_that_is_one_instance_of_another_of_names_joins_it() -> None:
    # the commonest name came first with both states and opened "Jail 'main' <*>" (split by
    # refinement); the other names opened "Jail <*> started" and "Jail <*> stopped"
    m = TemplateMiner()
    names = ["'kata'", "'mivo-auth'", "'renta'", "'suvo'", "'lota-auth'", "'drizel'"]
    started = [m.add_sig("Jail 'main' started"), m.add_sig("Jail 'main' stopped")]
    stopped = [started.pop()]
    for i in range(12):
        started.append(m.add_sig(f"Jail {names[i % 6]} started"))
        stopped.append(m.add_sig(f"Jail {names[(i + 1) % 6]} stopped"))
    started.append(m.add_sig("Jail 'main' started"))
    m.refine()
    assert len({m.template_of(s) for s in started}) == 1
    assert len({m.template_of(s) for s in stopped}) == 1
    assert m.template_of(started[0]) != m.template_of(stopped[0])


def test_a_word_where_a_template_holds_masked_values_stays_its_own_event() -> None:
    m = TemplateMiner()
    counted = [m.add_sig(f"sent {i} bytes to peer") for i in range(1, 30)]
    none = [m.add_sig("sent no bytes to peer") for _ in range(5)]
    m.refine()
    assert m.template_of(counted[0]) != m.template_of(none[0])


def test_two_templates_of_the_same_words_are_not_instances_of_each_other() -> None:
    # a split group can end with the same words as another cluster's template: neither is an
    # instance of the other (folding each into the other would never end)
    m = TemplateMiner()
    m._sigs = [("Jail", "'kata'", "started"), ("Jail", "'mivo'", "started")]
    m._tokens = {1: ["Jail", "<*>", "started"], 2: ["Jail", "<*>", "started"]}
    m._count = {1: 1, 2: 1}
    done: list[dict[int, int]] = []
    worker = threading.Thread(target=lambda: done.append(m._merge_instances({1: [0], 2: [1]})))
    worker.daemon = True
    worker.start()
    worker.join(timeout=5)
    assert done == [{}]


def test_a_word_that_fits_a_masked_value_s_shape_groups_with_that_value() -> None:
    # ``SELECT(c)`` is an instance of ``SELECT(<*>)`` (a name with no digit where others had
    # one): one event with it, while SELECT and INSERT stay two
    m = TemplateMiner()
    select, insert = [], []
    for i in range(30):
        col = f"c{i}" if i % 3 else ("ts", "name", "value")[i % 9 // 3]
        select.append(m.add_sig(f"access granted SELECT({col}) ON table{i}"))
        insert.append(m.add_sig(f"access granted INSERT(c{i}) ON table{i}"))
    m.refine()
    assert len({m.template_of(s) for s in select}) == 1
    assert len({m.template_of(s) for s in insert}) == 1
    assert {m.template_of(s) for s in select} != {m.template_of(s) for s in insert}
    assert m.template(m.template_of(select[0])) == "access granted SELECT(<*>) ON <*>"


def test_quoted_punctuation_a_message_reports_is_a_value_not_an_enumeration() -> None:
    m = TemplateMiner()
    sigs = [
        m.add_sig(f"unable to parse field 'f{i}' at {i}: unexpected token '{'},]'[i % 3]}'")
        for i in range(30)
    ]
    m.refine()
    assert len({m.template_of(s) for s in sigs}) == 1
    # quoted words are still an enumeration of event text
    for i in range(30):
        m.add_sig(f"stream {i} mode '{('fast', 'slow')[i % 2]}'")
    m.refine()
    assert {t.template for t in m.templates()} >= {
        "stream <*> mode 'fast'",
        "stream <*> mode 'slow'",
    }


def test_a_value_masked_in_part_beside_the_same_slot_masked_whole_is_one_variable() -> None:
    # a document id of letters only (one in 30 base64 ids of 20 characters has no digit)
    # beside ids the masker sees: one event, however rare the letters-only id
    ids = [f"Wl{i}zDqBTNKBivh" for i in range(39)] + ["xTiagNFKPNHPqxAhRLobzm"]
    m = TemplateMiner()
    sigs = [
        m.add_sig(f"failed to index {{[app-{i}][{d}], length: {i}kb") for i, d in enumerate(ids)
    ]
    m.refine()
    assert len({m.template_of(s) for s in sigs}) == 1
    # a slot masked in part in every line keeps its words as an enumeration
    for i in range(30):
        m.add_sig(f"route [{i}][{('read', 'write')[i % 2]}] ok")
    m.refine()
    assert {t.template for t in m.templates()} >= {"route [<*>][read] ok", "route [<*>][write] ok"}
