"""Event tables of the twelfth set of invented log styles: ``log4j_traces``, ``access_agents``,
``monolog_sql``, ``mqtt_broker``, ``mail_filter``, ``ci_runner``, ``game_server`` and
``iot_firmware`` (``log4j_traces``, ``monolog_sql`` and ``game_server`` are left out of the
set). The set, with its record, its headers and ``TWELFTH_STYLES``, is
:mod:`tests.warehouse.logs.synthetic_styles_twelfth`."""

from __future__ import annotations

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_slots_twelfth import (
    camel_id,
    chat,
    client_address,
    duration_hms,
    file_name,
    frame,
    glued_unit,
    ipv6,
    iso_time,
    mac,
    maybe,
    message_id,
    order_id,
    params,
    player,
    query_url,
    raw_statement,
    referer,
    release,
    request_path,
    rfc_date,
    route,
    signed,
    subject,
    user_agent,
    win_tool,
)
from tests.warehouse.logs.synthetic_styles import Event, Rare

JAVA: list[Event] = [
    (
        "INFO o.l.orders.OrderService",
        "Order {} accepted for {} total={} items={} in {}",
        (order_id, s.email, s.dec(1, 9999), s.num(1, 40), s.ms),
    ),
    (
        "INFO o.l.orders.PaymentService",
        "Payment {} for order {} was captured by provider {} after {}",
        (s.uuid, order_id, s.program, s.secs),
    ),
    (
        "INFO o.l.orders.PaymentService",
        "Payment {} for order {} was refunded by provider {} after {}",
        (s.uuid, order_id, s.program, s.secs),
    ),
    (
        "WARN o.l.core.http.RetryFilter",
        "Request {} failed: java.io.IOException: Connection reset by peer",
        (s.uuid,),
    ),
    (
        "WARN o.l.core.http.RetryFilter",
        "Request {} failed: java.net.SocketTimeoutException: Read timed out",
        (s.uuid,),
    ),
    (
        "ERROR o.l.orders.OrderService",
        "Unhandled error in {}: java.lang.IllegalStateException: cart {} is locked",
        (s.klass, s.num(1, 99999)),
    ),
    ("trace", "\tat {}", (frame,)),
    ("trace", "\t... {} more", (s.num(1, 90),)),
    ("trace", "Caused by: java.net.ConnectException: Connection refused", ()),
    (
        "trace",
        "Caused by: java.sql.SQLTransientConnectionException: pool {} timed out after {}ms",
        (s.glued("orders-db-", 1, 4), s.num(1000, 30000)),
    ),
    (
        "INFO o.l.core.auth.TokenStore",
        "Token for {} issued at {} expires at {}",
        (s.user, iso_time, iso_time),
    ),
    (
        "DEBUG o.l.core.cache.CacheLoader",
        "s3Loader fetched {} objects ({}) heap used {} of {}",
        (s.num(1, 900), glued_unit(("MB", "GB"), 0.1, 20), s.percent, glued_unit(("GB",), 1, 16)),
    ),
    (
        "INFO o.l.core.cache.CacheLoader",
        "Handler {} registered at 0x{}",
        (s.pick("orderHandler2", "refundHandlerV3", "stockHandler11", "auditHandler1"), s.hexn(12)),
    ),
    (
        "ERROR o.l.orders.OrderService",
        Rare("Order {} rolled back: java.lang.OutOfMemoryError: Java heap space"),
        (order_id,),
    ),
]

ACCESS: list[Event] = [
    ('"GET {} HTTP/1.1" {} {} {} {}', (request_path, s.pick("200", "304", "404"))),
    ('"POST {} HTTP/1.1" {} {} {} {}', (request_path, s.pick("201", "400", "500"))),
    ('"HEAD {} HTTP/1.1" {} {} {} {}', (request_path, s.pick("200", "404"))),
    ('"DELETE {} HTTP/1.1" {} {} {} {}', (request_path, s.pick("204", "403"))),
]
ACCESS_EVENTS: list[Event] = [
    ("access", text, (*slots, s.num(0, 90000), referer, user_agent)) for text, slots in ACCESS
]

SLOW_QUERIES: list[Event] = [
    (
        "doctrine.WARNING",
        "Slow query ({}): SELECT o.id, o.total FROM orders o WHERE o.customer_id = ? "
        "AND o.created_at > ? params={}",
        (glued_unit(("s",), 1, 30, 2), params),
    ),
    (
        "doctrine.WARNING",
        "Slow query ({}): UPDATE stock SET quantity = quantity - ? WHERE sku = ? params={}",
        (glued_unit(("s",), 1, 30, 2), params),
    ),
    (
        "doctrine.WARNING",
        "Slow query ({}): DELETE FROM sessions WHERE expires_at < ? params={}",
        (glued_unit(("s",), 1, 30, 2), params),
    ),
    ("app.ERROR", "Raw query rejected by guard: {}", (raw_statement,)),
    (
        "app.INFO",
        "Stock of {} adjusted by {} to {} units",
        (s.glued("SKU-", 1000, 99999), signed, s.num(0, 900)),
    ),
    ("cache.DEBUG", "copy {} to cache", (s.glued("fragment_", 1, 999),)),
    ("cache.DEBUG", "copy cache to {}", (s.glued("fragment_", 1, 999),)),
    (
        "request.INFO",
        "Matched route {} for {} in {}",
        (route, query_url, s.ms),
    ),
    ("security.INFO", "Login of {} from {} succeeded", (s.email, ipv6)),
    (
        "security.WARNING",
        Rare("Login of {} from {} locked after {} attempts"),
        (s.email, s.ip, s.num(3, 9)),
    ),
]

BROKER: list[Event] = [
    ("mqtt", "Accepted connection from {} on port {}.", (client_address, s.pick("1883", "8883"))),
    (
        "mqtt",
        "Client {} logged in from {} (proto {}, clean {}, keepalive {}s, u'{}').",
        (camel_id, s.ip, s.pick("4", "5"), s.num(0, 1), s.num(10, 120), maybe(s.user)),
    ),
    ("mqtt", "Client {} went away.", (camel_id,)),
    ("mqtt", "Client {} missed its keepalive, dropping it.", (camel_id,)),
    ("mqtt", "Client {} sent a malformed packet, dropping it.", (camel_id,)),
    (
        "mqtt",
        "PUBLISH from {} to '{}' (qos {}, retain {}, {} bytes)",
        (camel_id, s.unix_path, s.num(0, 2), s.num(0, 1), s.num(0, 9000)),
    ),
    ("mqtt", "Persisting {} retained messages to {} took {}", (s.num(0, 99999), s.unix_path, s.ms)),
    ("mqtt", "Bridge {} clock offset {}ms against {}", (s.host, s.num(-900, 900), iso_time)),
    (
        "mqtt",
        Rare('Out of memory while queueing for {}, reason="{}"'),
        (camel_id, maybe(s.program)),
    ),
]

MAIL_FILTER: list[Event] = [
    (
        "normal task",
        "scan_done: id: {}, ip: {}, from: <{}>, action: no action, score: {}/{}, len: {}",
        (message_id, s.ip, s.email, s.dec(-5, 5), s.pick("15.00", "20.00"), s.num(300, 99999)),
    ),
    (
        "normal task",
        "scan_done: id: {}, ip: {}, from: <{}>, action: reject, score: {}/{}, len: {}",
        (message_id, s.ip, s.email, s.dec(15, 40), s.pick("15.00", "20.00"), s.num(300, 99999)),
    ),
    (
        "normal task",
        "scan_done: id: {}, ip: {}, from: <{}>, action: greylist, score: {}/{}, len: {}",
        (message_id, s.ip, s.email, s.dec(5, 15), s.pick("15.00", "20.00"), s.num(300, 99999)),
    ),
    ("normal task", "headers: subject: {}, date: {}", (subject, rfc_date)),
    (
        "controller auth",
        "smtp auth user={} result=ok",
        (maybe(s.email),),
    ),
    (
        "controller auth",
        'smtp auth user={} result=fail reason="{}"',
        (maybe(s.email), maybe(s.program)),
    ),
    ("normal quarantine", "Message {} mis en quarantaine pour {}", (message_id, s.email)),
    ("normal quarantine", "Message {} libéré de la quarantaine par {}", (message_id, s.email)),
    (
        "normal dkim",
        "dkim: signature of {} verified, selector: {}, d: {}",
        (message_id, s.user, s.host),
    ),
    (
        "controller stat",
        "stats: scanned: {}, spam: {}, ham: {}, uptime: {}",
        (s.num(), s.num(), s.num(), duration_hms),
    ),
    (
        "normal task",
        Rare("scan_timeout: id: {}, elapsed: {}, rule: {}"),
        (message_id, s.secs, s.program),
    ),
]

CI: list[Event] = [
    ("INFO JobRunner", "Job {} completed with result: Succeeded", (s.uuid,)),
    ("INFO JobRunner", "Job {} completed with result: Failed", (s.uuid,)),
    ("INFO JobRunner", "Job {} completed with result: Canceled", (s.uuid,)),
    ("INFO StepsRunner", "Step {} finished in {}", (s.num(1, 40), duration_hms)),
    ("INFO ProcessInvoker", "Starting process: {}", (win_tool,)),
    (
        "INFO ProcessInvoker",
        "Process {} exited with code {} after {}",
        (s.num(100, 99999), s.num(-2, 255), s.mixed_duration),
    ),
    (
        "INFO ActionManager",
        "Downloading action {}@{} ({})",
        (s.package, release, glued_unit(("KB", "MB"), 1, 900)),
    ),
    (
        "INFO ArtifactUpload",
        "Uploading artifact {} ({} files, {})",
        (file_name, s.num(1, 900), glued_unit(("MB", "GB"), 0.1, 9)),
    ),
    (
        "INFO RunnerServer",
        "GET {} returned {} in {}",
        (query_url, s.pick("200", "304", "429"), s.ms),
    ),
    ("INFO Runner", "Runner {} version {} listening, os: Windows, arch: X64", (s.host, release)),
    (
        "WARN Runner",
        "Disk space low: {} free ({})",
        (glued_unit(("GB",), 0.1, 9), s.percent),
    ),
    (
        "ERR JobDispatcher",
        Rare("Lost connection to {} at {}, retrying in {}"),
        (s.url, iso_time, s.mixed_duration),
    ),
]

GAME: list[Event] = [
    (
        '"{}<CT>" killed "{}<TERRORIST>" with a headshot',
        (player, player),
    ),
    (
        '"{}<TERRORIST>" killed "{}<CT>" with a headshot',
        (player, player),
    ),
    ('"{}<CT>" say {}', (player, chat)),
    ('"{}<TERRORIST>" say {}', (player, chat)),
    ('"{}<>" entered the game', (player,)),
    ('"{}<>" disconnected (reason "Kicked")', (player,)),
    ('"{}<>" disconnected (reason "Timed out")', (player,)),
    ('"{}<CT>" committed suicide, score now {}', (player, s.num(-9, 40))),
    ('Team "CT" scored "{}" with "{}" players', (s.num(0, 16), s.num(1, 5))),
    ('Team "TERRORIST" scored "{}" with "{}" players', (s.num(0, 16), s.num(1, 5))),
    ('World triggered "Round_Start"', ()),
    ('World triggered "Round_End"', ()),
    (
        'Loading map "{}" ({} entities, {})',
        (s.glued("ar_lagoon", 1, 9), s.num(900, 9000), glued_unit(("MB",), 10, 900)),
    ),
    ("server tick {}: frame time {} (budget {})", (s.num(), s.ms, s.pick("15ms", "33ms"))),
]
GAME_EVENTS: list[Event] = [("game", text, slots) for text, slots in GAME]

GATEWAY: list[Event] = [
    (
        "I zigbee",
        "device {} joined, rssi={} lqi={}",
        (mac, glued_unit(("dBm",), -95, -30, 0), s.num(0, 255)),
    ),
    ("I sensors", "{} reading {} humidity {}", (camel_id, glued_unit(("°C",), -20, 40), s.percent)),
    ("I netif", "IPv6 address assigned: {}", (ipv6,)),
    ("I netif", "state changed from online to offline for {}", (camel_id,)),
    ("I netif", "state changed from offline to online for {}", (camel_id,)),
    (
        "I ota",
        "firmware {} downloaded ({}) from {}",
        (release, glued_unit(("KB", "MB"), 0.1, 4), query_url),
    ),
    (
        "W heap",
        "free heap {} (min {}), largest block at 0x{}",
        (glued_unit(("KB",), 1, 300), glued_unit(("KB",), 1, 90), s.hexn(8)),
    ),
    ("I 设备", "设备 {} 已上线", (camel_id,)),
    ("I 设备", "设备 {} 已离线", (camel_id,)),
    ("I mqtt", "published {} to {} in {}", (s.num(1, 90), s.unix_path, s.mixed_duration)),
    ("E core", Rare("Guru meditation at PC 0x{}, task {}"), (s.hexn(8), s.program)),
]
