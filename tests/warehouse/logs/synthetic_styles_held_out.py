"""A second set of invented log styles, written after the fixes the first set led to.

Same rules as :mod:`tests.warehouse.logs.synthetic_styles` (every ``{}`` slot is a variable,
closed-set words are event text, each event is written out as its own entry), in layouts the
first set lacks: kernel ring buffer lines with a padded uptime in brackets, Apache httpd 2.4
error logs, Spring Boot console lines, nginx error logs, Kubernetes klog (the level letter
glued to the date) and logcat with object dumps and ``key= value`` pairs. No line is copied
from any dataset. After the first score, four slots that held closed-set words (HTTP reason
phrases, a request method, mount options, exception messages) were written out as one event
per member, as the rule above asks; no other event was changed.
"""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import hms
from tests.warehouse.logs.synthetic_styles import Event, Header


def _dmesg(r: random.Random, source: str, msg: str) -> str:
    return f"[{r.uniform(0, 99999):12.6f}] {msg}"


DMESG: list[Event] = [
    (
        "",
        "usb {}-{}: new high-speed USB device number {} using {}",
        (s.num(1, 4), s.num(1, 8), s.num(1, 99), s.program),
    ),
    ("", "usb {}-{}: USB disconnect, device number {}", (s.num(1, 4), s.num(1, 8), s.num(1, 99))),
    (
        "",
        "EXT4-fs ({}): mounted filesystem with ordered data mode. Opts: (null)",
        (s.glued("sda", 1, 9),),
    ),
    (
        "",
        "EXT4-fs ({}): mounted filesystem with ordered data mode. Opts: errors=remount-ro",
        (s.glued("sda", 1, 9),),
    ),
    (
        "",
        'audit: type=1400 audit({}:{}): apparmor="DENIED" operation="open" '
        'profile="{}" name="{}" pid={} comm="{}"',
        (s.dec(1e9, 2e9, 3), s.num(), s.program, s.unix_path, s.num(), s.program),
    ),
    (
        "",
        "{}: Link is Up - {}Mbps/Full - flow control rx/tx",
        (s.glued("eth", 0, 3), s.pick("100", "1000", "10000")),
    ),
    ("", "{}: Link is Down", (s.glued("eth", 0, 3),)),
    (
        "",
        "Out of memory: Killed process {} ({}) total-vm:{}kB, anon-rss:{}kB",
        (s.num(), s.program, s.num(), s.num()),
    ),
    (
        "",
        "{}[{}]: segfault at {} ip {} sp {} error {} in {}[{}+{}]",
        (
            s.program,
            s.num(),
            s.hexn(12),
            s.hexn(16),
            s.hexn(16),
            s.num(4, 6),
            s.glued("lib", 0, 0, ""),
            s.hexn(12),
            s.hexn(5),
        ),
    ),
    (
        "",
        "CPU{}: Core temperature above threshold, cpu clock throttled (total events = {})",
        (s.num(0, 15), s.num()),
    ),
    ("", "CPU{}: Core temperature/speed normal", (s.num(0, 15),)),
]


def _httpd(r: random.Random, source: str, msg: str) -> str:
    day = f"{r.choice(('Mon', 'Tue', 'Wed'))} Mar {r.randint(10, 28)}"
    client = f" [client {s.ip_port(r)}]" if source.endswith("c") else ""
    module = source.rstrip("c").strip()
    return (
        f"[{day} {hms(r)}.{r.randint(0, 999999):06d} 2024] [{module}] [pid "
        f"{r.randint(100, 99999)}:tid {r.randint(10**9, 10**10)}]{client} "
        f"{msg}"
    )


HTTPD: list[Event] = [
    (
        "proxy:error c",
        "(111)Connection refused: AH00957: http: attempt to connect to {} ({}) failed",
        (s.ip_port, s.host),
    ),
    ("proxy_http:error c", "AH01114: HTTP: failed to make connection to backend: {}", (s.host,)),
    (
        "ssl:info c",
        "AH01964: Connection to child {} established (server {})",
        (s.num(0, 999), s.host_port),
    ),
    (
        "core:error c",
        "AH00037: Symbolic link not allowed or link target not accessible: {}",
        (s.unix_path,),
    ),
    (
        "mpm_event:notice",
        "AH00489: Apache/{} configured -- resuming normal operations",
        (s.version,),
    ),
    ("core:notice", "AH00094: Command line: '{} -d {}'", (s.unix_path, s.unix_path)),
    ("authz_core:error c", "AH01630: client denied by server configuration: {}", (s.unix_path,)),
    (
        "php:error c",
        "PHP Warning:  Undefined variable ${} in {} on line {}",
        (s.program, s.unix_path, s.num(1, 999)),
    ),
]


def _spring(r: random.Random, source: str, msg: str) -> str:
    level, thread, logger = source.split(" ")
    return (
        f"2024-03-0{r.randint(1, 9)} {hms(r)}.{r.randint(0, 999):03d} {level:>5} "
        f"{r.randint(1000, 99999)} --- [{thread:>15}] {logger:<40} : {msg}"
    )


SPRING: list[Event] = [
    (
        "INFO main o.e.shop.ShopApplication",
        "Started ShopApplication in {} seconds (process running for {})",
        (s.dec(1, 60, 3), s.dec(1, 60, 3)),
    ),
    (
        "INFO main o.s.b.w.e.tomcat.TomcatWebServer",
        "Tomcat started on port {} (http) with context path '{}'",
        (s.num(1024, 65535), s.unix_path),
    ),
    (
        "INFO nio-8080-exec-1 o.s.web.servlet.DispatcherServlet",
        "Completed initialization in {} ms",
        (s.num(1, 999),),
    ),
    (
        "WARN nio-8080-exec-4 o.e.shop.web.OrderController",
        "order {} rejected: stock for sku {} is {} (requested {})",
        (s.uuid, s.glued("SKU-", 1000, 99999), s.num(0, 9), s.num(1, 20)),
    ),
    (
        "INFO scheduling-1 o.e.shop.jobs.CartCleanup",
        "removed {} abandoned carts older than {}",
        (s.num(0, 999), s.mixed_duration),
    ),
    (
        "ERROR nio-8080-exec-9 o.e.shop.pay.PaymentClient",
        "call to {} failed after {} attempts: 502 Bad Gateway",
        (s.url, s.num(1, 5)),
    ),
    (
        "ERROR nio-8080-exec-9 o.e.shop.pay.PaymentClient",
        "call to {} failed after {} attempts: 504 Gateway Timeout",
        (s.url, s.num(1, 5)),
    ),
    (
        "INFO main com.zaxxer.hikari.HikariDataSource",
        "{} - Start completed.",
        (s.glued("HikariPool-", 1, 4),),
    ),
    (
        "DEBUG nio-8080-exec-2 o.e.shop.web.AuthFilter",
        "token for {} expires at {} (scopes {})",
        (s.email, s.dec(1.7e9, 1.8e9, 0), s.bracket_list(s.single_quoted, 1, 4)),
    ),
]


def _nginx(r: random.Random, source: str, msg: str) -> str:
    return (
        f"2024/03/{r.randint(10, 28)} {hms(r)} [{source}] "
        f"{r.randint(100, 9999)}#{r.randint(0, 9)}: *{r.randint(1, 10**6)} {msg}"
    )


def _request(r: random.Random) -> str:
    return f'"GET /api/{s._coined(r.randrange(30))}/{r.randint(1, 999)} HTTP/1.1"'


NGINX: list[Event] = [
    (
        "error",
        "connect() failed (111: Connection refused) while connecting to "
        'upstream, client: {}, server: {}, request: {}, upstream: "http://{}/", '
        'host: "{}"',
        (s.ip, s.host, _request, s.ip_port, s.host),
    ),
    (
        "error",
        "upstream timed out (110: Connection timed out) while reading "
        "response header from upstream, client: {}, server: {}, request: "
        "{}",
        (s.ip, s.host, _request),
    ),
    (
        "warn",
        "an upstream response is buffered to a temporary file {} while "
        "reading upstream, client: {}, server: {}, request: {}",
        (s.unix_path, s.ip, s.host, _request),
    ),
    (
        "error",
        'open() "{}" failed (2: No such file or directory), client: {}, server: {}, request: {}',
        (s.unix_path, s.ip, s.host, _request),
    ),
    ("info", "client {} closed keepalive connection", (s.ip,)),
    ("notice", "signal process started", ()),
    (
        "error",
        'limiting requests, excess: {} by zone "{}", client: {}, server: {}, request: {}',
        (s.dec(0, 99, 3), s.program, s.ip, s.host, _request),
    ),
]


def _klog(r: random.Random, source: str, msg: str) -> str:
    level, file = source.split(" ")
    return (
        f"{level}03{r.randint(10, 28)} {hms(r)}.{r.randint(0, 999999):06d} "
        f"{r.randint(1, 99999):>7} {file}:{r.randint(10, 999)}] {msg}"
    )


KLOG: list[Event] = [
    ("I controller.go", 'Successfully synced "{}/{}"', (s.program, s.package)),
    (
        "I event.go",
        'Event occurred object="{}/{}" kind="Pod" apiVersion="v1" type="Normal" '
        'reason="Scheduled" message="Successfully assigned {}/{} to {}"',
        (s.program, s.glued("web-", 1, 99), s.program, s.glued("web-", 1, 99), s.host),
    ),
    (
        "W reflector.go",
        "watch of *v1.Pod ended with: too old resource version: {} ({})",
        (s.num(), s.num()),
    ),
    (
        "E pod_workers.go",
        'Error syncing pod {} ("{}_{}({})"), skipping: failed to "StartContainer" '
        'for "{}" with CrashLoopBackOff: "back-off {} restarting failed '
        'container"',
        (s.uuid, s.glued("api-", 1, 99), s.program, s.uuid, s.program, s.mixed_duration),
    ),
    (
        "I kubelet.go",
        "SyncLoop (PLEG): event for pod {} container {} started",
        (s.glued("api-", 1, 99), s.hexn(64)),
    ),
    ("I leaderelection.go", "successfully acquired lease {}/{}", (s.program, s.program)),
    ("I round_trippers.go", "GET {} 200 OK in {} milliseconds", (s.url, s.num(1, 999))),
    ("I round_trippers.go", "GET {} 404 Not Found in {} milliseconds", (s.url, s.num(1, 999))),
]


def _logcat_dump(r: random.Random, source: str, msg: str) -> str:
    level, tag = source.split(" ", 1)
    return (
        f"{r.randint(1, 12):02d}-{r.randint(1, 28):02d} {hms(r)}.{r.randint(0, 999):03d} "
        f" {r.randint(100, 9999):>5}  {r.randint(100, 9999):>5} {level} "
        f"{tag}: {msg}"
    )


LOGCAT_DUMP: list[Event] = [
    (
        "V WindowState",
        "setVisible: token=WindowToken{{{} {}}} visible= {} reason= {}",
        (s.hexn(7), s.package, s.boolean, s.klass),
    ),
    (
        "I WindowState",
        "rotation changed to {} from {} (animate= {})",
        (s.num(0, 3), s.num(0, 3), s.boolean),
    ),
    (
        "D ActivityRecord",
        "finishing ActivityRecord{{{} u0 {}/.{} t{}}} result={}",
        (s.hexn(7), s.package, s.klass, s.num(1, 999), s.num(-1, 1)),
    ),
    (
        "W ServiceWatch",
        "service {} in process {} crashed {} times, restarting in {}ms",
        (s.klass, s.package, s.num(1, 9), s.num(100, 90000)),
    ),
    (
        "I PowerLock",
        "acquired wakelock '{}' held {} by uid {}",
        (s.klass, s.ms, s.num(10000, 19999)),
    ),
    ("E ContentSync", "onPerformSync failed for {}: java.io.IOException: timeout", (s.email,)),
    (
        "E ContentSync",
        "onPerformSync failed for {}: java.net.UnknownHostException: no host",
        (s.email,),
    ),
    (
        "D InputRouter",
        "dispatch key={} action={} flags=0x{} to {}",
        (s.num(0, 300), s.num(0, 1), s.hexn(8), s.package),
    ),
]

HELD_OUT_STYLES: dict[str, tuple[list[Event], Header]] = {
    "dmesg": (DMESG, _dmesg),
    "httpd_error": (HTTPD, _httpd),
    "spring_boot": (SPRING, _spring),
    "nginx_error": (NGINX, _nginx),
    "klog": (KLOG, _klog),
    "logcat_dump": (LOGCAT_DUMP, _logcat_dump),
}
