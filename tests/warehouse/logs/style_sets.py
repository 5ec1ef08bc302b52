"""Every set of invented log styles, in the order they were written: the one place a new set
is added, read by ``test_log_styles`` and ``benchmarks.logs_mining``.

Each set was held out from the fixes before it (its module says what it first scored): the
first (logcat, Windows CBS, macOS syslog, OpenStack oslo.log, Proxifier, cluster RAS
columns, syslog behind collector fields, pipe-joined fields); the second (kernel ring buffer,
httpd and nginx error logs, Spring Boot, klog, logcat object dumps); the third; the fourth (RAS
state columns, relayed syslog, logcat key lists, macOS free text, oslo.log paths of any depth,
proxy targets); the fifth (Windows event exports, the macOS unified log, ``;`` and ``,``
fields, RFC 5424, log4j quorum peers, logcat ``time``, Postgres, Redis, MySQL); the sixth
(container runtime streams, JVM unified logging, Erlang nodes, Python's default, compose
prefixes); the seventh (an extra leading column on some lines only, comma-joined event
exports, RAS records, numbered router lines, identifiers glued to words); the eighth (Celery,
Ruby's Logger, Go's log, env_logger, Serilog, Squid, logcat ``brief``, logfmt); the ninth
(MongoDB, Cassandra, a Kafka broker, the Linux audit log, the Docker daemon, Gunicorn,
PHP-FPM, Tomcat); the tenth (Zabbix, Squid's cache log, BIND, Exim, OpenVPN, Slurm, PBS,
Lustre); the eleventh, hard inside the message (lists and object dumps of any length, values
glued to words, events one word apart, rare events: macOS drivers, an Android system server, a
fitness app's fields, WSGI request lines, RAS with octal escapes, DISM, a proxy client); the
twelfth, values of many shapes and values holding spaces inside the message (an MQTT broker, an
IoT gateway's firmware, a combined access log, a mail filter, a CI runner; three more styles of
it are left out, see its module); the thirteenth, logs of many programs with many events, most
of them rare (a cluster node's syslog, a phone's logcat ``monotonic``, a desktop's journal; one
more style of it is left out, see its module); the fourteenth, appliances and agents with
numbers of many formats and values that read as words (a hypervisor's vmkernel, a VPN
concentrator, a print server, a smart-home hub, a storage array's events, a backup director, a
ground station, a load balancer's health checks); the fifteenth, messages mostly of values or
with their event text between value columns, and lines with no header among lines with one (a
Windows Installer's verbose log, a connection pooler, a baseboard controller's event list, a
SOCKS server, logcat ``process``, a proxy's glued bracket fields, a device installer's log; one
more style of it is left out, see its module); the sixteenth, daemons and cluster services
with padded columns, ids glued to words and names with no digits among numbered ones (a
telephony server, a file server's debug prefix, a storage daemon, a database error log, an
intrusion banning daemon, a data engine's executors, a supercomputer's console; one more style
of it is left out, see its module); the seventeenth, security and network daemons and agents
with ``key=value`` tails, counters and addresses with ports (an agent's structured log, an
intrusion detector's alerts, a directory server, a ticket server, a time daemon, a load
balancer's traffic lines, a file transfer server, a mail access server; see its module for
what is left out); the eighteenth, storage engines and distributed databases, with values
between redaction marks, lists glued to words, quoted requests holding escaped quotes and
stats dumps whose later lines have no header (a distributed SQL node, a column store's server,
an LSM engine's log file, a consensus store, a region server, a search engine node, a raft
key-value store; a stream processor's job manager is left out, see its module); the
nineteenth, embedded devices, routers, game and media servers, with a counter padded inside
brackets, values padded after their keys, headerless boot lines and protocol names with a
version (an RTOS console, a router's ``logread``, a game engine's log, a media center, a media
server, a bootloader's console; a transcoder's stderr and a block game's server are left out,
see its module); the twentieth, data and ML pipelines and build systems, with process tags of
``key=value`` pairs opening lines, dot leaders, build labels, keys printed quoted or as tuples
and words trading places with values (a cluster framework's driver output, a notebook server, a
workflow scheduler's task log, a distributed scheduler's workers, a CI runner's step log, a
build tool's console, a data transformation tool's run log; an ML runtime's C++ lines are left
out, see its module).
"""

from __future__ import annotations

from tests.warehouse.logs.synthetic_styles import STYLES, Event, Header
from tests.warehouse.logs.synthetic_styles_eighteenth import EIGHTEENTH_STYLES
from tests.warehouse.logs.synthetic_styles_eighth import EIGHTH_STYLES
from tests.warehouse.logs.synthetic_styles_eleventh import ELEVENTH_STYLES
from tests.warehouse.logs.synthetic_styles_fifteenth import FIFTEENTH_STYLES
from tests.warehouse.logs.synthetic_styles_fifth import FIFTH_STYLES
from tests.warehouse.logs.synthetic_styles_fourteenth import FOURTEENTH_STYLES
from tests.warehouse.logs.synthetic_styles_fourth import FOURTH_STYLES
from tests.warehouse.logs.synthetic_styles_held_out import HELD_OUT_STYLES
from tests.warehouse.logs.synthetic_styles_nineteenth import NINETEENTH_STYLES
from tests.warehouse.logs.synthetic_styles_ninth import NINTH_STYLES
from tests.warehouse.logs.synthetic_styles_seventeenth import SEVENTEENTH_STYLES
from tests.warehouse.logs.synthetic_styles_seventh import SEVENTH_STYLES
from tests.warehouse.logs.synthetic_styles_sixteenth import SIXTEENTH_STYLES
from tests.warehouse.logs.synthetic_styles_sixth import SIXTH_STYLES
from tests.warehouse.logs.synthetic_styles_tenth import TENTH_STYLES
from tests.warehouse.logs.synthetic_styles_third import THIRD_STYLES
from tests.warehouse.logs.synthetic_styles_thirteenth import THIRTEENTH_STYLES
from tests.warehouse.logs.synthetic_styles_twelfth import TWELFTH_STYLES
from tests.warehouse.logs.synthetic_styles_twentieth import TWENTIETH_STYLES

STYLE_SETS: tuple[dict[str, tuple[list[Event], Header]], ...] = (
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
    ELEVENTH_STYLES,
    TWELFTH_STYLES,
    THIRTEENTH_STYLES,
    FOURTEENTH_STYLES,
    FIFTEENTH_STYLES,
    SIXTEENTH_STYLES,
    SEVENTEENTH_STYLES,
    EIGHTEENTH_STYLES,
    NINETEENTH_STYLES,
    TWENTIETH_STYLES,
)
ALL_STYLES = {name: style for styles in STYLE_SETS for name, style in styles.items()}
