"""Grouping on invented log styles written from the formats' documented shapes.

Each style of :mod:`tests.warehouse.logs.synthetic_styles` (logcat, Windows CBS, macOS
syslog, OpenStack oslo.log, Proxifier, cluster RAS columns, syslog behind collector fields,
pipe-joined fields) and of the second set written after the fixes the first led to
(:mod:`tests.warehouse.logs.synthetic_styles_held_out`: kernel ring buffer, httpd and nginx
error logs, Spring Boot, klog, logcat object dumps) and of the third
(:mod:`tests.warehouse.logs.synthetic_styles_third`) and of the fourth, held out from the
fixes before it (:mod:`tests.warehouse.logs.synthetic_styles_fourth`: RAS state columns,
relayed syslog, logcat key lists, macOS hosts with digits, macOS free text, spaced pipe
times, CSI sequences, oslo.log paths of any depth, proxy targets) and of the fifth, held out
from every fix before it (:mod:`tests.warehouse.logs.synthetic_styles_fifth`: Windows event
exports, the macOS unified log, ``;`` and ``,`` fields, gateway value columns, RFC 5424,
relayed BSD syslog, log4j quorum peers, bracket fields, a level-led pipe layout, glued
brackets, logcat ``time``, Postgres, Redis, MySQL) and of the sixth
(:mod:`tests.warehouse.logs.synthetic_styles_sixth`: container runtime streams, JVM unified
logging, Erlang nodes, search-engine brackets, Python's default, compose prefixes, numbered
lines) and of the seventh (:mod:`tests.warehouse.logs.synthetic_styles_seventh`: an extra
leading column on some lines only, a comma-joined event export led by its level, ``|`` fields
without a level, RAS records, collected syslog, numbered router lines, logcat with a uid
column, identifiers glued to words) and of the eighth
(:mod:`tests.warehouse.logs.synthetic_styles_eighth`: Celery, Ruby's Logger, Go's log, Rust's
env_logger, Serilog, Squid, logcat ``brief``, logfmt) and of the ninth
(:mod:`tests.warehouse.logs.synthetic_styles_ninth`: MongoDB, Cassandra, a Kafka broker, the
Linux audit log, the Docker daemon, Gunicorn, PHP-FPM, Tomcat) and of the tenth
(:mod:`tests.warehouse.logs.synthetic_styles_tenth`: Zabbix, Squid's cache log, BIND, Exim,
OpenVPN, Slurm, PBS, Lustre) is mined from raw lines with the shipped defaults and scored
against the events it was built from.
"""

from __future__ import annotations

import pytest

from tests.warehouse.logs.synthetic_styles import STYLES, generate_style
from tests.warehouse.logs.synthetic_styles_eighth import EIGHTH_STYLES
from tests.warehouse.logs.synthetic_styles_fifth import FIFTH_STYLES
from tests.warehouse.logs.synthetic_styles_fourth import FOURTH_STYLES
from tests.warehouse.logs.synthetic_styles_held_out import HELD_OUT_STYLES
from tests.warehouse.logs.synthetic_styles_ninth import NINTH_STYLES
from tests.warehouse.logs.synthetic_styles_seventh import SEVENTH_STYLES
from tests.warehouse.logs.synthetic_styles_sixth import SIXTH_STYLES
from tests.warehouse.logs.synthetic_styles_tenth import TENTH_STYLES
from tests.warehouse.logs.synthetic_styles_third import THIRD_STYLES
from warehouse.logs.mining import grouping_accuracy, mine_lines

ALL_STYLES = {
    **STYLES,
    **HELD_OUT_STYLES,
    **THIRD_STYLES,
    **FOURTH_STYLES,
    **FIFTH_STYLES,
    **SIXTH_STYLES,
    **SEVENTH_STYLES,
    **EIGHTH_STYLES,
    **NINTH_STYLES,
    **TENTH_STYLES,
}
# the floor is 0.98 but where a known miss is recorded (see synthetic_styles_third.py)
FLOORS = {"java_pool": 0.94}


def test_style_names_are_unique_across_the_sets() -> None:
    sets = (
        STYLES,
        HELD_OUT_STYLES,
        THIRD_STYLES,
        FOURTH_STYLES,
        FIFTH_STYLES,
        SIXTH_STYLES,
        SEVENTH_STYLES,
        EIGHTH_STYLES,
        NINTH_STYLES,
        TENTH_STYLES,
    )
    assert len(ALL_STYLES) == sum(map(len, sets))


@pytest.mark.parametrize("style", sorted(ALL_STYLES))
def test_events_of_each_log_style_are_grouped_as_the_truth(style: str) -> None:
    for seed in (0, 1):
        lines, truth, _ = generate_style(style, 2000, seed, ALL_STYLES)
        score = grouping_accuracy([tid for _, tid, _ in mine_lines(lines)], truth)
        assert score >= FLOORS.get(style, 0.98), (seed, score)


@pytest.mark.parametrize(
    "style",
    [
        "dmesg",
        "relayed_syslog",
        "logcat_free",
        "hpc_columns",
        "optional_seq",
        "win_csv",
        "optional_pipe_field",
        "tagged_records",
        "logcat_bare",
        "audit",
        "exim",
        "pbs",
    ],
)
def test_a_log_that_opens_with_a_burst_of_one_event_is_still_grouped(style: str) -> None:
    # events come in bursts: each block of 400 lines is ordered by event, so the first
    # lines hold one or two events only
    lines, truth, _ = generate_style(style, 2000, 1, ALL_STYLES)
    order = [
        i for b in range(0, 2000, 400) for i in sorted(range(b, b + 400), key=truth.__getitem__)
    ]
    mined = [tid for _, tid, _ in mine_lines([lines[i] for i in order])]
    assert grouping_accuracy(mined, [truth[i] for i in order]) >= 0.95
