"""Headers of well-known loggers whose default formats need token rules of their own: bracket
fields glued and padded to a width, a level and a logger fused by colons, .NET's console, a
thread named in parentheses, a bracket group closed by a colon, and glued runs left whole."""

from __future__ import annotations

import random

from warehouse.logs.header_tokens import unglue_brackets
from warehouse.logs.headers import HeaderStripper
from warehouse.logs.mining import grouping_accuracy, mine_lines


def _strip_all(lines: list[str]) -> list[str]:
    h = HeaderStripper()
    h.learn(lines)
    return [h.strip(line) for line in lines]


def test_bracket_fields_glued_and_padded_to_a_width_are_one_header() -> None:
    # log4j's ``[%d][%-5p][%-25c] [%node] %m``: the padding breaks the glued run at a
    # different place on each line (``[INFO ]`` but ``[DEBUG]``), and a line whose fields
    # fill their widths glues them into one token
    events = ("started", "recovered [{}] shards", "added {{node-{}}}, term: 3")
    for width in (5, 6):
        lines = [
            f"[2021-02-0{1 + i % 9}T14:38:{i % 60:02d},{i:03d}]"
            f"[{('INFO', 'DEBUG', 'WARN')[i % 3]:<{width}}]"
            f"[{('o.e.n.Node', 'o.e.g.GatewayService')[i % 2]:<{5 * width}}] "
            f"[{('node-1', 'data-a')[i % 4 // 2]}] " + events[i % 3].format(i)
            for i in range(60)
        ]
        assert _strip_all(lines) == [events[i % 3].format(i) for i in range(60)]
    # a counter padded inside brackets glued to the text after it stays one token
    assert unglue_brackets("[10:11:12][  7]Category: x") == "[10:11:12][  7]Category: x"


def test_a_level_and_a_logger_fused_by_colons_are_header() -> None:
    # Python's default ``%(levelname)s:%(name)s:%(message)s``; a message may hold colons too
    events = ("cache miss for key user:{}", "done", "retry {}: timeout after 3 s")
    lines = [
        f"{('INFO', 'WARNING', 'ERROR')[i % 3]}:{('app.db', 'root')[i % 2]}:"
        + events[i % 3].format(i)
        for i in range(60)
    ]
    assert _strip_all(lines) == [events[i % 3].format(i) for i in range(60)]
    # a clock's colons never split fused fields
    clocked = [f"10:11:{i % 60:02d} " + events[i % 3].format(i) for i in range(60)]
    assert _strip_all(clocked) == [events[i % 3].format(i) for i in range(60)]


def test_dotnet_console_levels_and_a_category_with_its_event_id_are_header() -> None:
    levels = ("info", "dbug", "fail", "warn", "trce", "crit")
    lines = [
        f"{levels[i % 6]}: {('App.Worker', 'Microsoft.Hosting.Lifetime')[i % 2]}[{i % 3 * 7}] "
        f"job {i} done"
        for i in range(60)
    ]
    assert _strip_all(lines) == [f"job {i} done" for i in range(60)]


def test_a_thread_named_in_parentheses_with_spaces_after_the_level_is_header() -> None:
    # JBoss's ``%d{HH:mm:ss,SSS} %-5p [%c] (%t) %s%e%n``: a thread's name holds spaces
    threads = ("ServerService Thread Pool -- 45", "MSC service thread 1-3", "main")
    lines = [
        f"10:11:{i % 60:02d},{i:03d} {('INFO', 'WARN')[i % 2]:<5} "
        f"[{('org.jboss.as.server', 'org.wildfly.undertow')[i % 4 // 2]}] "
        f"({threads[i * 7 % 3]}) job {i} done"
        for i in range(60)
    ]
    assert _strip_all(lines) == [f"job {i} done" for i in range(60)]


def test_a_bracket_group_closed_by_a_colon_after_the_clock_ends_the_header() -> None:
    # a game server's ``[10:11:12] [Server thread/INFO]: message``
    threads = ("Server thread", "main", "Worker-Main-3")
    lines = [
        f"[10:11:{i % 60:02d}] [{threads[i * 7 % 3]}/{('INFO', 'WARN')[i % 2]}]: "
        + ("player joined", "saved {} chunks", "server stopping")[i % 3].format(i)
        for i in range(60)
    ]
    assert _strip_all(lines) == [
        ("player joined", "saved {} chunks", "server stopping")[i % 3].format(i) for i in range(60)
    ]


def test_glued_bracket_fields_with_no_padding_stay_one_token_beside_other_lines() -> None:
    # a proxy's own lines (``[time][thread][level][logger] [source] message``, never padded)
    # among its access lines: split into tokens, the runs' thread and source columns looked
    # like value columns that the access lines' quoted request filled too
    r = random.Random(7)
    lines, truth = [], []
    events = ("creating a new connection", "closing socket: {}", "cds: added {} cluster(s)")
    for i in range(1000):
        clock = f"2025-02-{1 + i % 28:02d} 13:16:{i % 60:02d}.{r.randrange(1000):03d}"
        if r.random() < 0.4:
            method = r.choice(("GET", "POST"))
            path = "/".join(r.choice(("api", "kata", str(r.randrange(99999)))) for _ in "ab")
            lines.append(
                f'[{clock.replace(" ", "T")}Z] "{method} /{path} HTTP/1.1" {r.randrange(200, 504)}'
                f' - {r.randrange(9999)} {r.randrange(9999)} "10.0.0.{r.randrange(256)}"'
            )
            truth.append(method)
        else:
            k = r.randrange(3)
            lines.append(
                f"[{clock}][{r.randrange(1, 40)}][{r.choice(('debug', 'info'))}]"
                f"[{('pool', 'connection', 'upstream')[k]}] "
                f"[source/{('conn_pool', 'connection_impl', 'cds_api')[k]}.cc:{(265, 69, 126)[k]}] "
                + events[k].format(i)
            )
            truth.append(str(k))
    assert grouping_accuracy([tid for _, tid, _ in mine_lines(lines)], truth) == 1.0
