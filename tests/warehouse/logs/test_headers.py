"""Header recognition without being told the format."""

from __future__ import annotations

import json

import pytest

from warehouse.logs.headers import HeaderStripper, strip_header


def _strip_all(lines: list[str]) -> list[str]:
    h = HeaderStripper()
    h.learn(lines)
    return [h.strip(line) for line in lines]


@pytest.mark.parametrize(
    ("lines", "messages"),
    [
        (  # level then component:
            [
                "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 done",
                "081109 203807 222 WARN dfs.FSNamesystem: BLOCK* ask 10.0.0.1:50010 to delete",
            ],
            ["PacketResponder 1 done", "BLOCK* ask 10.0.0.1:50010 to delete"],
        ),
        (  # ISO-ish date, level, [thread], component:
            [
                "2015-10-18 18:01:47,978 INFO [main] org.apache.App: Created app 1",
                "2015-10-18 18:01:48,963 ERROR [IPC Server handler 5 on 80] o.a.Ipc: Lost it",
            ],
            ["Created app 1", "Lost it"],
        ),
        (  # bracketed date and level
            [
                "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/x.properties",
                "[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6",
            ],
            ["workerEnv.init() ok /etc/x.properties", "mod_jk child workerEnv in error state 6"],
        ),
        (  # syslog (RFC 3164): date, host, program[pid]:
            [
                "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown",
                "Jul  1 09:00:55 combo kernel: Linux version 2.6.5",
                "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick",
            ],
            ["check pass; user unknown", "Linux version 2.6.5", "'su root' failed for lonvick"],
        ),
        (  # "date time - LEVEL [thread] - message"
            [
                "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:2181:Election@774] - "
                "Notification time out: 3200",
                "2015-07-29 19:04:29,071 - WARN  [SendWorker:1889:W@688] - Send worker leaving",
            ],
            ["Notification time out: 3200", "Send worker leaving"],
        ),
        (  # ISO 8601 with zone and a lower-case level
            [
                "2024-03-01T12:00:00.123Z info  server started on port 8080",
                "2024-03-01T12:00:01.456+01:00 error connection refused",
            ],
            ["server started on port 8080", "connection refused"],
        ),
        (  # nginx / Apache combined access log
            ['127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326 "-" "c/8"'],
            ['"GET /a.gif HTTP/1.0" 200 2326 "-" "c/8"'],
        ),
        (  # free text has no header
            ["the quick brown fox", "jumps over the lazy dog"],
            ["the quick brown fox", "jumps over the lazy dog"],
        ),
    ],
)
def test_header_is_recognised_and_stripped(lines: list[str], messages: list[str]) -> None:
    assert _strip_all(lines) == messages


def test_json_and_logfmt_lines_give_their_message_field() -> None:
    j = json.dumps({"ts": "2024-01-01T00:00:00Z", "level": "info", "msg": "user logged in"})
    assert strip_header(j) == "user logged in"
    lf = 'time=2024-01-01T00:00:00Z level=warn msg="disk almost full" pct=91'
    assert strip_header(lf) == "disk almost full pct=91"


def test_a_single_quoted_logfmt_message_is_read_whole() -> None:
    # the Linux audit log quotes its own message with single quotes
    line = (
        "type=USER_END msg=audit(1700000000.123:42): pid=7 msg='op=logout acct=\"ops\" res=success'"
    )
    assert strip_header(line) == 'op=logout acct="ops" res=success type=USER_END'


def test_level_word_inside_a_syslog_message_is_not_taken_for_a_header() -> None:
    lines = [
        f"Dec 10 06:55:{i:02d} host sshd[{i}]: error: could not load key {i}" for i in range(10)
    ]
    assert set(_strip_all(lines)) == {f"error: could not load key {i}" for i in range(10)}


def test_line_off_the_learned_layout_falls_back_to_its_own_timestamp() -> None:
    lines = [f"2015-10-18 18:01:{i:02d},978 INFO [main] a.B: step {i}" for i in range(5)]
    lines.append("2015-10-18 18:02:00,000 something without a level")
    assert _strip_all(lines)[-1] == "something without a level"


@pytest.mark.parametrize(
    ("lines", "messages"),
    [
        (  # pipe-separated header fields
            [
                "20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579",
                "20171223-22:15:29:737|Step_LSC|30002312|onExtend:1514038530000 0 0 4",
            ],
            ["onStandStepChanged 3579", "onExtend:1514038530000 0 0 4"],
        ),
        (  # "[date time] program - message", program name sometimes two tokens
            [
                "[10.30 16:49:06] chrome.exe - proxy.example.org:5070 open through proxy",
                "[10.30 16:49:07] chrome.exe *64 - proxy.example.org:5070 close, 0 bytes sent",
            ],
            [
                "proxy.example.org:5070 open through proxy",
                "proxy.example.org:5070 close, 0 bytes sent",
            ],
        ),
        (  # two clocks with a host between them, then a path-like program[pid]:
            [
                "- 1131566461 2005.11.09 dn2 Nov 9 12:01:01 dn2/dn2 crond[2915]: session closed",
                "- 1131566517 2005.11.09 adm1 Nov 9 12:01:57 l@adm1 /sbin/gmetad[1682]: no answer",
            ],
            ["session closed", "no answer"],
        ),
        (  # month-day date, pid and tid, one-letter level taken as part of the header
            [
                "03-17 16:13:38.811  1702  2395 D WindowManager: printFreezing opening app",
                "03-17 16:13:38.905  1702 10454 D PowerManager: release:lock=2335, flg=0x0",
            ],
            ["printFreezing opening app", "release:lock=2335, flg=0x0"],
        ),
        (  # file name prefix, level, dotted logger name without colon, request context
            [
                "api.log.1 2017-05-16 00:00:00.008 25746 INFO nova.wsgi.server "
                "[req-38101a0b - - -] 10.11.10.1 GET /v2/servers",
                "api.log.1 2017-05-16 00:00:01.012 25746 INFO nova.compute.manager "
                "[req-3ea4052c - - -] VM Started",
            ],
            ["10.11.10.1 GET /v2/servers", "VM Started"],
        ),
    ],
)
def test_header_of_other_common_layouts_is_stripped(lines: list[str], messages: list[str]) -> None:
    assert _strip_all(lines) == messages


def test_stream_learns_its_layout_without_an_explicit_sample() -> None:
    h = HeaderStripper()
    lines = [f"2024-05-01 10:00:{i:02d},000 INFO [w-{i}] app.Main: tick {i}" for i in range(40)]
    assert [h.strip(line) for line in lines] == [f"tick {i}" for i in range(40)]


def test_a_single_free_text_line_keeps_its_level_words() -> None:
    assert strip_header("the error was bad") == "the error was bad"
    assert strip_header("disk warning threshold reached") == "disk warning threshold reached"
    assert strip_header("2024-01-01 12:00:00 ERROR disk full") == "disk full"


def test_structured_lines_without_a_message_field_keep_their_non_header_fields() -> None:
    j = json.dumps({"time": "2024-01-01T00:00:00Z", "level": "info", "event_id": 7, "op": "put"})
    assert strip_header(j) == "event_id=7 op=put"
    assert strip_header("ts=1700000000 level=info op=put key=abc") == "op=put key=abc"
    assert strip_header("{not json at all") == "{not json at all"


def test_rfc5424_header_and_structured_data_are_stripped() -> None:
    sd = '[exampleSDID@32473 iut="3" note="a]b"]'
    line = f"<165>1 2003-10-11T22:14:15.003Z host.example.com evntslog - ID47 {sd} An event"
    assert strip_header(line) == "An event"
    assert strip_header("<34>1 2003-10-11T22:14:15Z host su - ID47 - 'su root' failed") == (
        "'su root' failed"
    )


def test_a_subsystem_in_parentheses_after_program_and_pid_is_header() -> None:
    h = HeaderStripper()
    lines = [
        f"Mar {d:>2} 10:00:0{d % 10} lantern-air {p}[{100 + d}]{sub}: sync done in {d}s"
        for d in range(1, 28)
        for p, sub in (
            ("syncd", ""),
            ("syncd", " (org.example.core)"),
            ("launchd", f" (org.example.agent[{d * 7}])"),
            ("Sync Agent", ""),
        )
    ]
    h.learn(lines[:200])
    assert {h.strip(line).split(" in ")[0] for line in lines} == {"sync done"}


def test_a_pid_padded_inside_parentheses_stays_in_its_header_token() -> None:
    # logcat's brief format right-aligns the pid in five columns: "W/Tag( 812):"
    h = HeaderStripper()
    messages = ["queue drained", "boost released for", "channel closed", "hint sent to"]
    lines = [
        f"{tag}({pid:>5}): {message} {pid % 97}"
        for pid in (7, 81, 812, 4096, 23011, 31999)
        for tag in ("W/InputQueue", "I/PowerHal")
        for message in messages
    ]
    h.learn(lines)
    assert {h.strip(line).rsplit(" ", 1)[0] for line in lines} == set(messages)


def test_a_rule_of_dashes_between_pid_and_thread_is_header() -> None:
    h = HeaderStripper()
    lines = [
        f"2024-03-01 10:00:{i % 60:02d}.{i:03d} {lvl:>5} {4000 + i} --- [{th:>15}] "
        f"{'o.e.app.' + cls:<40} : cart {i} saved"
        for i, (lvl, th, cls) in enumerate(
            [("INFO", "main", "Boot"), ("WARN", "exec-7", "web.Cart")] * 30
        )
    ]
    h.learn(lines)
    assert {h.strip(line).split()[0] for line in lines} == {"cart"}


def test_a_month_first_date_with_a_twelve_hour_clock_is_header() -> None:
    # a tab-separated event export led by its level: date, clock and AM/PM all go, and so does
    # the source's name of two words, a column of few values that repeat
    lines = [
        f"{lvl}\t{m}/{d}/2024 {h}:0{d % 10}:1{m % 10} {half}\tDisk Watch\t{51 + d}\tNone\t"
        f"volume {d} is at {m}0 percent"
        for lvl, half in (("Information", "AM"), ("Warning", "PM"))
        for m in range(1, 13)
        for d, h in zip(range(1, 29, 3), range(1, 13), strict=False)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert hs.strip(lines[0]) == "volume 1 is at 10 percent"
    assert hs.strip(lines[-1]).startswith("volume ")


def test_a_level_with_a_colon_closes_the_header_as_a_program_does() -> None:
    # "user@db LOG:" and "user@db FATAL:": more lines close on a level word than on a program
    lines = [
        f"2024-03-{10 + i % 18} 10:{i % 60:02d}:00.{i:03d} UTC [{4000 + i}] "
        f"{('ana', 'bo', 'cy')[i % 3]}@shop {('LOG', 'LOG', 'FATAL', 'ERROR', 'WARNING')[i % 5]}:"
        f"  step {i} done"
        for i in range(200)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert [hs.strip(line) for line in lines[:4]] == [f"step {i} done" for i in range(4)]


def test_two_word_columns_that_predict_each_other_are_still_header() -> None:
    # a clock, a stream name and a flag, then the message: the flag follows the stream name
    # no more often than the stream's commonest value does
    events = ("listening on :80", "worker w3 picked job 17", "retrying in 5s", "GET /a 200")
    lines = [
        f"2024-03-1{i % 9}T10:00:{i % 60:02d}.{i:09d}Z {('stdout', 'stdout', 'stderr')[i % 3]} "
        f"{'FFFP'[(i // 3) % 4]} {events[(i // 12) % 4]}"
        for i in range(240)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert [hs.strip(line) for line in lines[:48:12]] == list(events)


def test_fields_fused_by_a_separator_may_open_with_a_level() -> None:
    lines = [
        f"{('INFO', 'WARN', 'ERROR')[i % 3]};2024-03-1{i % 9}T10:00:{i % 60:02d};Cache;"
        f"evicted {i} keys"
        for i in range(100)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert [hs.strip(line) for line in lines[:3]] == [f"evicted {i} keys" for i in range(3)]


def test_a_syslog_line_behind_a_longer_tag_keeps_its_host_and_program_out() -> None:
    # most lines open with a one-token tag; one in five with a tag of two words
    lines = [
        f"{'NET WARN' if i % 5 == 4 else '-'} Mar {1 + i % 28:>2} 10:00:{i % 60:02d} "
        f"cn{i % 40} ntpd[{300 + i}]: offset {i} ms"
        for i in range(100)
    ]
    hs = HeaderStripper()
    hs.learn(lines)
    assert [hs.strip(line) for line in lines[3:5]] == ["offset 3 ms", "offset 4 ms"]


def test_a_clock_of_seconds_since_boot_of_any_width_is_a_header_clock() -> None:
    # logcat's "monotonic" clock: seconds since boot, right-aligned, of five digits or fewer
    h = HeaderStripper()
    lines = [
        f"{t:>10} {1702 + i:>5} {1800 + i:>5} I Tag{i % 3}: event {i} done"
        for i, t in enumerate(f"{(i * 7919) % 999999 + 1}.{i:03d}" for i in range(60))
    ]
    h.learn(lines)
    assert [h.strip(line) for line in lines] == [f"event {i} done" for i in range(60)]


def test_a_thread_in_parentheses_after_the_level_is_header() -> None:
    threads = ("MainThread", "Recorder", "SyncWorker_3", "MainThread")
    lines = [
        f"2025-04-02 10:11:{i % 60:02d}.{i:03d} INFO ({threads[i % 4]}) [hub.setup] "
        f"Setting up {('kalo', 'mira', 'suvo')[i % 3]}"
        for i in range(40)
    ]
    assert set(_strip_all(lines)) == {"Setting up kalo", "Setting up mira", "Setting up suvo"}


def test_a_boot_counter_still_short_is_the_header_clock_it_grows_into() -> None:
    # a clock of milliseconds since boot: nine digits in the sample, five on a line after a reboot
    lines = [f"I ({123456789 + i * 977}) net{i % 3}: link {i} up" for i in range(40)]
    h = HeaderStripper()
    h.learn(lines)
    line = "W (25194) heap: free heap low"
    assert h.strip(line) == "free heap low"


def test_a_hex_id_opening_some_messages_is_cut_alike_when_it_holds_no_digit() -> None:
    def head(i: int) -> str:
        return f"[2024-03-{10 + i % 18}T07:{i % 60:02d}:54,{i:03d}][DEBUG][o.Query  ] [n-{i % 6}]"

    ids = ("19f9e3af", "815a47c5", "7467537a", "4227de21", "0b1c2d3e")
    lines = [
        f"{head(i)} [{ids[i % 5]}] took [{i}ms]" if i % 3 else f"{head(i)} [gc][{i}] spent [{i}ms]"
        for i in range(60)
    ]
    h = HeaderStripper()
    h.learn(lines)
    no_digit, digits = (f"{head(7)} [{id_}] took [3ms]" for id_ in ("fdadaaca", "815a47c5"))
    assert h.strip(no_digit) == h.strip(digits)


def test_a_clock_whose_milliseconds_follow_a_colon_is_a_header_clock() -> None:
    # ``[hh:mm:ss:ms]`` after a tag and two bracket groups, as an installer writes it
    lines = [
        f"PKG (s) ({'A3' if i % 2 else '5E'}:{i:02X}) [10:{i % 60:02d}:{i % 50:02d}:{i:03d}]: "
        f"event {i} done"
        for i in range(40)
    ]
    assert _strip_all(lines) == [f"event {i} done" for i in range(40)]


def test_words_before_a_colon_that_always_go_together_open_the_message() -> None:
    # after the clock, ``Doing step:`` and ``STATE CHANGE:`` are phrases of the message, not a
    # host and a program: each word goes with one ``name:`` and each ``name:`` with one word
    phrases = ("Doing step: {}", "STATE CHANGE: {} set", "Loading unit: {}", "Found volume: {}")
    names = ("kavo", "tilde", "rumo", "pesk", "ondra", "lutz")
    messages = [phrases[i % 4].format(names[i % 6]) if i % 5 else "Idle" for i in range(80)]
    lines = [f"2025-04-02 10:11:{i % 60:02d}.{i:03d} {m}" for i, m in enumerate(messages)]
    assert _strip_all(lines) == messages
    # a host column before many programs, and a level letter before its tags, stay header
    hosts = [
        f"Apr  2 10:11:{i % 60:02d} {('nodea', 'nodeb', 'nodec')[i % 3]} "
        f"{('sshd', 'crond', 'ntpd', 'smartd')[i % 4]}[{100 + i}]: event {i} done"
        for i in range(60)
    ]
    assert _strip_all(hosts) == [f"event {i} done" for i in range(60)]
    tags = [
        f"04-02 10:11:{i % 60:02d}.{i:03d}  812  {900 + i} {'IDWE'[i % 4]} "
        f"{('Pager', 'Lens', 'Radio', 'Dock')[i % 4]}: step {i} done"
        for i in range(60)
    ]
    assert _strip_all(tags) == [f"step {i} done" for i in range(60)]


def test_a_number_ending_a_line_with_no_header_is_not_a_short_boot_clock() -> None:
    lines = [
        f"PKG (s) (5E:{i:02X}) [10:11:{i % 60:02d}.{i:03d}]: event {i} done" for i in range(40)
    ]
    h = HeaderStripper()
    h.learn(lines)
    no_header = "Setting(C): LIMIT = 5855"
    assert h.strip(no_header) == no_header
    assert h.strip(lines[3]) == "event 3 done"


def test_a_clock_after_two_plain_words_on_a_line_off_the_layout_is_the_messages_own() -> None:
    lines = [
        f">>>  Section {i} opened" if i % 4 == 0 else f"     cfg: item {i} read" for i in range(40)
    ]
    h = HeaderStripper()
    h.learn(lines)
    for line in ("Phase began 10:11:12: Tidying.", "     cfg: Build Date - 07/18/2017 10.2.7"):
        assert h.strip(line) == line.strip()
    # a clock opening a line off the layout is still cut
    opening = "10:11:12.345 Opening store 7"
    assert h.strip(opening) == "Opening store 7"


def test_a_line_whose_message_opens_before_the_last_value_column_loses_only_its_header() -> None:
    # most messages open on values ("Interface Gi0/3,"), so the learned value columns reach
    # into them; a message that opens on words is cut after its own last header value
    months = ("*Mar", ".Apr", "*May", ".Jun")

    def head(i: int) -> str:
        return f"{100000 + i * 7919}: {months[i % 4]} {1 + i % 28} 10:{i % 60:02d}:01.{i:03d} UTC:"

    lines = [f"{head(i)} %LINK-3-UPDOWN: Interface Gi0/{i}, changed state to up" for i in range(60)]
    h = HeaderStripper()
    h.learn(lines)
    for i in range(4):
        line = f"{head(i)} %SYS-5-CONFIG_I: Configured from console by vty{i}"
        assert h.strip(line) == f"Configured from console by vty{i}"


def test_a_name_opening_the_message_after_the_level_is_not_cut_where_that_column_holds_none() -> (
    None
):
    # the column after the level holds a bracketed tag; a message that opens on "name:" (after
    # the level's padding) keeps it: a header column every line has holds no such name
    tags = ("[alpha]", "[beta]", "[gamma-web]", "[alpha]")
    lines = [
        f"2025-05-0{1 + i % 9} 10:11:{i % 60:02d},{i:03d} worker.filter  [81{i % 3}]: INFO    "
        f"{tags[i % 4]} Found 10.0.{i}.1"
        for i in range(40)
    ]
    h = HeaderStripper()
    h.learn(lines)
    line = "2025-05-03 10:11:12,345 worker.filter  [812]: INFO      maxRetry: 5"
    assert h.strip(line) == "maxRetry: 5"
    assert h.strip(lines[0]) == "Found 10.0.0.1"


def test_key_value_messages_filling_most_lines_keep_their_key_after_the_level() -> None:
    # a daemon printing its settings one "key: value" per line, more lines of them than of
    # events: the key is the message's first word, not a component column
    keys = ("maxRetry:", "findtime:", "banTime:")
    lines = [
        f"2025-05-0{1 + i % 9} 10:11:{i % 60:02d},{i:03d} worker.filter  [81{i % 3}]: INFO    "
        + (f"{keys[i % 3]} {i * 7}" if i % 5 else f"[alpha] Found 10.0.{i}.1")
        for i in range(60)
    ]
    h = HeaderStripper()
    h.learn(lines)
    assert h.strip(lines[1]) == "findtime: 7"
    assert h.strip(lines[2]) == "banTime: 14"
    assert h.strip(lines[0]) == "Found 10.0.0.1"


def test_a_program_name_followed_by_one_token_at_most_stays_in_the_message() -> None:
    # a syslog-like layout (clock, host, "program:"); a line whose "name:" is followed by one
    # value alone is a "key: value" message: cut there, its events would be the values
    programs = ("sshd[12]:", "cron[7]:", "kernel:")
    lines = [
        f"2025-05-0{1 + i % 9}T10:11:{i % 60:02d} node{i % 4} {programs[i % 3]} "
        f"session opened for user u{i} by uid {i % 7}"
        for i in range(40)
    ]
    h = HeaderStripper()
    h.learn(lines)
    assert h.strip(lines[0]) == "session opened for user u0 by uid 0"
    module = '2025-05-03T10:11:12 node2 LoadModule: "glx"'
    setting = "2025-05-03T10:11:12 node2 maxRetry: 5"
    assert h.strip(module) == 'LoadModule: "glx"'
    assert h.strip(setting) == "maxRetry: 5"


def test_a_clock_after_a_word_and_a_label_is_the_message_s_own() -> None:
    # the later lines of a message printed on several lines carry no header
    tails = [
        "Cumulative stall: 00:01:02.345 H:M:S, 0.0 percent",
        "Cumulative writes: 46259225 writes, 27927 keys, 14307 commit groups",
    ]
    lines = []
    for i in range(12):
        lines.append(f"2024/03/01-10:00:{i:02d}.123456 7f8b1c3ff700 flushed table #{i} OK")
        lines.append(tails[i % 2])
    stripped = _strip_all(lines)
    assert stripped[0].endswith("flushed table #0 OK")
    assert stripped[1::2] == [tails[i % 2] for i in range(12)]
