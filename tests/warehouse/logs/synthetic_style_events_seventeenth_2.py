"""Event tables of the seventeenth set of invented log styles, part 2 of two: ``ntp_daemon``,
``lb_traffic``, ``ftp_transfers`` and ``mail_access``. The set, with its record, its headers and
``SEVENTEENTH_STYLES``, is :mod:`tests.warehouse.logs.synthetic_styles_seventeenth`."""

from __future__ import annotations

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_slots_seventeenth import (
    addr,
    backend,
    conn_counts,
    fe,
    ftp_client,
    ftp_path,
    hap_clock,
    http_timers,
    mailbox,
    msgid,
    no_server,
    ntp_name,
    ntp_source,
    offset,
    queues,
    rate,
    request_path,
    server,
    session,
    term_state,
)
from tests.warehouse.logs.synthetic_styles import Event, Rare

CHRONY: list[Event] = [
    ("", "Selected source {} ({})", (ntp_source, ntp_name)),
    # a reference clock is one of a few names: one event for each
    *(("", f"Selected source {ref}", ()) for ref in ("PHC0", "GPS", "PPS")),
    ("", "Source {} offline", (ntp_source,)),
    ("", "Source {} online", (ntp_source,)),
    ("", "Source {} replaced with {} ({})", (ntp_source, ntp_source, ntp_name)),
    ("", "System clock wrong by {} seconds", (offset,)),
    ("", "System clock wrong by {} seconds, adjustment started", (offset,)),
    ("", "System clock was stepped by {} seconds", (offset,)),
    ("", "Can't synchronise: no selectable sources", ()),
    ("", "Can't synchronise: no majority", ()),
    ("", "Received KoD RATE from {}", (ntp_source,)),
    ("", "Detected falseticker {} ({})", (ntp_source, ntp_name)),
    (
        "",
        "Frequency {} +/- {} ppm read from /var/lib/chrony/drift",
        (s.dec(-40, 40, 3), s.dec(0, 2, 3)),
    ),
    ("", "Forward time jump detected!", ()),
    ("", Rare("Backward time jump detected!"), ()),
    (
        "",
        Rare(
            "chronyd version {} starting (+CMDMON +NTP +REFCLOCK +RTC +PRIVDROP +SCFILTER "
            "+SIGND +ASYNCDNS +NTS +SECHASH +IPV6 -DEBUG)"
        ),
        (s.pick("4.3", "4.5", "4.6.1"),),
    ),
    ("", "NTS-KE session with {} ({}) timed out", (addr, ntp_name)),
    ("", Rare("Could not resolve address of initstepslew server {}"), (ntp_name,)),
]

_HTTP = "{} {} {} {}/{} {} {} {} - - {} {} {} "
_HTTP_SLOTS = (
    addr,
    hap_clock,
    fe,
    backend,
    server,
    http_timers,
    s.pick("200", "304", "404", "503"),
)
HAPROXY: list[Event] = [
    *(
        (
            "",
            _HTTP + f'"{method} {{}} HTTP/1.1"',
            (*_HTTP_SLOTS, s.growing(2, 7), term_state, conn_counts, queues, request_path),
        )
        for method in ("GET", "POST", "PUT", "DELETE")
    ),
    (
        "",
        "{} {} {} {}/{} {}/{}/{} {} -- {} {}",
        (
            addr,
            hap_clock,
            s.pool("ft_{w}", 0, 16),
            backend,
            server,
            s.num(0, 9),
            s.num(0, 9),
            s.growing(1, 6),
            s.growing(2, 8),
            conn_counts,
            queues,
        ),
    ),
    (
        "",
        '{} {} {} -1/-1/-1/-1/{} 400 {} - - PR-- {} {} "<BADREQ>"',
        (addr, hap_clock, no_server, s.num(0, 90), s.num(180, 220), conn_counts, queues),
    ),
    ("", "{} {} {}/{}: SSL handshake failure", (addr, hap_clock, fe, s.num(1, 4))),
    ("", Rare("Connect from {} to {} ({}/HTTP)"), (addr, addr, fe)),
    (
        "",
        Rare("Server {}/{} is DOWN, reason: Layer4 timeout, check duration: {}ms."),
        (backend, server, s.num(1000, 3000)),
    ),
]

_C = 'Client "{}"'
VSFTPD: list[Event] = [
    ("", f"CONNECT: {_C}", (ftp_client,)),
    ("", f"[{{}}] OK LOGIN: {_C}", (s.user, ftp_client)),
    ("", f"[{{}}] FAIL LOGIN: {_C}", (s.user, ftp_client)),
    ("", f'[ftp] OK LOGIN: {_C}, anon password "{{}}"', (ftp_client, s.email)),
    (
        "",
        f'[{{}}] OK DOWNLOAD: {_C}, "{{}}", {{}} bytes, {{}}Kbyte/sec',
        (s.user, ftp_client, ftp_path, s.growing(1, 9), rate),
    ),
    (
        "",
        f'[{{}}] FAIL DOWNLOAD: {_C}, "{{}}", {{}} bytes, {{}}Kbyte/sec',
        (s.user, ftp_client, ftp_path, s.growing(1, 9), rate),
    ),
    (
        "",
        f'[{{}}] OK UPLOAD: {_C}, "{{}}", {{}} bytes, {{}}Kbyte/sec',
        (s.user, ftp_client, ftp_path, s.growing(1, 9), rate),
    ),
    (
        "",
        Rare(f'[{{}}] FAIL UPLOAD: {_C}, "{{}}", {{}} bytes, {{}}Kbyte/sec'),
        (s.user, ftp_client, ftp_path, s.growing(1, 9), rate),
    ),
    ("", f'[{{}}] OK MKDIR: {_C}, "{{}}"', (s.user, ftp_client, ftp_path)),
    ("", f'[{{}}] OK DELETE: {_C}, "{{}}"', (s.user, ftp_client, ftp_path)),
    ("", Rare(f'[{{}}] FAIL DELETE: {_C}, "{{}}"'), (s.user, ftp_client, ftp_path)),
    ("", f'[{{}}] OK RENAME: {_C}, "{{}} {{}}"', (s.user, ftp_client, ftp_path, ftp_path)),
    ("", Rare(f'[{{}}] OK RMDIR: {_C}, "{{}}"'), (s.user, ftp_client, ftp_path)),
]

_LOGIN = "user=<{}>, method=PLAIN, rip={}, lip={}, mpid={}, TLS, session=<{}>"
_LOGIN_SLOTS = (s.user, s.ip, s.ip, s.growing(3, 6), session)
_PROC = "({})<{}><{}>: "
_PROC_SLOTS = (s.user, s.growing(3, 6), session)
DOVECOT: list[Event] = [
    ("", "imap-login: Login: " + _LOGIN, _LOGIN_SLOTS),
    ("", "pop3-login: Login: " + _LOGIN, _LOGIN_SLOTS),
    (
        "",
        "imap-login: Disconnected (auth failed, {} attempts in {} secs): user=<{}>, "
        "method=PLAIN, rip={}, lip={}, TLS, session=<{}>",
        (s.num(1, 5), s.num(1, 30), s.user, s.ip, s.ip, session),
    ),
    (
        "",
        "imap-login: Disconnected (no auth attempts in {} secs): user=<>, rip={}, lip={}, "
        "session=<{}>",
        (s.num(0, 60), s.ip, s.ip, session),
    ),
    (
        "",
        "imap" + _PROC + "Logged out in={} out={} deleted={} expunged={} trashed={} "
        "hdr_count={} hdr_bytes={} body_count={} body_bytes={}",
        (
            *_PROC_SLOTS,
            *(s.growing(1, 6) for _ in range(2)),
            *(s.num(0, 40) for _ in range(4)),
            s.growing(1, 7),
            s.num(0, 40),
            s.growing(1, 8),
        ),
    ),
    (
        "",
        "pop3" + _PROC + "Disconnected: Logged out top=0/0, retr={}/{}, del={}/{}, size={}",
        (*_PROC_SLOTS, s.num(0, 40), s.growing(1, 8), s.num(0, 40), s.num(0, 90), s.growing(1, 8)),
    ),
    ("", "lmtp" + _PROC + "msgid=<{}>: saved mail to INBOX", (*_PROC_SLOTS, msgid)),
    (
        "",
        "lmtp" + _PROC + "msgid=<{}>: sieve: fileinto action: stored mail into mailbox '{}'",
        (*_PROC_SLOTS, msgid, mailbox),
    ),
    ("", "lmtp({}): Connect from local", (s.growing(3, 6),)),
    (
        "",
        "lmtp({}): Disconnect from local: Client has quit the connection (state=READY)",
        (s.growing(3, 6),),
    ),
    (
        "",
        "auth: pam({},{},<{}>): pam_authenticate() failed: Authentication failure "
        "(password mismatch?)",
        (s.user, s.ip, session),
    ),
    (
        "",
        "auth-worker({}): pam({},{},<{}>): unknown user",
        (s.growing(3, 6), s.user, s.ip, session),
    ),
    (
        "",
        Rare("imap" + _PROC + "Error: Mailbox {}: Mailbox quota exceeded (quota=User quota)"),
        (*_PROC_SLOTS, mailbox),
    ),
    (
        "",
        Rare(
            "master: Warning: service(imap-login): process_limit ({}) reached, client "
            "connections are being dropped"
        ),
        (s.pick("100", "500", "1000"),),
    ),
]
