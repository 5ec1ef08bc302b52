"""Event tables of the seventeenth set of invented log styles, part 1 of two: ``hclog_agent``,
``ids_fast_alerts``, ``directory_server`` and ``kdc_log`` (``directory_server`` is left out of
the set). The set, with its record, its headers and ``SEVENTEENTH_STYLES``, is
:mod:`tests.warehouse.logs.synthetic_styles_seventeenth`."""

from __future__ import annotations

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_slots_seventeenth import (
    addr,
    alloc,
    api_path,
    attr_list,
    client_principal,
    empty_or,
    epoch,
    etype,
    etype_list,
    go_duration,
    ldap_base,
    ldap_dn,
    ldap_filter,
    node_name,
    service_principal,
)
from tests.warehouse.logs.synthetic_styles import Event, Rare

HCLOG: list[Event] = [
    (
        "INFO agent.server.raft",
        'entering follower state: follower="Node at {} [Follower]" leader-address={} leader-id={}',
        (addr, empty_or(addr), empty_or(s.uuid)),
    ),
    (
        "INFO agent.server.raft",
        'entering candidate state: node="Node at {} [Candidate]" term={}',
        (addr, s.growing(1, 5)),
    ),
    ("INFO agent.server.raft", "election won: term={} tally={}", (s.growing(1, 5), s.num(1, 5))),
    (
        "WARN agent.server.raft",
        "heartbeat timeout reached, starting election: last-leader-addr={} last-leader-id={}",
        (empty_or(addr), empty_or(s.uuid)),
    ),
    ("INFO agent.server.serf.lan", "serf: EventMemberJoin: {} {}", (node_name, s.ip)),
    ("INFO agent.server.serf.lan", "serf: EventMemberFailed: {} {}", (node_name, s.ip)),
    ("INFO agent.server.serf.lan", Rare("serf: EventMemberLeave: {} {}"), (node_name, s.ip)),
    ("INFO agent", "Synced node info", ()),
    ("INFO agent", "Synced service: service={}", (s.pool("{w}-web", 0, 12),)),
    (
        "DEBUG agent",
        "Check status updated: check={} status=passing",
        (s.pool("service:{w}", 0, 9),),
    ),
    (
        "WARN agent",
        "Check status updated: check={} status=critical",
        (s.pool("service:{w}", 0, 9),),
    ),
    (
        "ERROR agent.http",
        'Request error: method=GET url={} from={} error="ACL not found"',
        (api_path, addr),
    ),
    (
        "DEBUG agent.http",
        "Request finished: method=GET url={} from={} latency={}",
        (api_path, addr, go_duration),
    ),
    (
        "DEBUG agent.http",
        "Request finished: method=PUT url={} from={} latency={}",
        (api_path, addr, go_duration),
    ),
    (
        "INFO client.alloc_runner.task_runner",
        'Task event: alloc_id={} task={} type=Received msg="Task received by client" failed=false',
        (alloc, s.pool("{w}", 3, 12)),
    ),
    (
        "INFO client.alloc_runner.task_runner",
        'Task event: alloc_id={} task={} type=Started msg="Task started by client" failed=false',
        (alloc, s.pool("{w}", 3, 12)),
    ),
    (
        "INFO client.alloc_runner.task_runner",
        'Task event: alloc_id={} task={} type=Terminated msg="Exit Code: {}" failed=false',
        (alloc, s.pool("{w}", 3, 12), s.num(0, 255)),
    ),
    (
        "INFO agent.server.autopilot",
        Rare("Promoting server: id={} address={} name={}"),
        (s.uuid, addr, node_name),
    ),
    (
        "WARN agent.server.memberlist.lan",
        "memberlist: Refuting a suspect message (from: {})",
        (node_name,),
    ),
    # the mount's type is one of a few words: one event for each
    *(
        (
            "INFO core",
            f"successful mount: namespace={{}} path={{}} type={kind}",
            (empty_or(s.pool("{w}/", 0, 6)), s.pool("{w}/", 6, 10)),
        )
        for kind in ("kv", "pki", "transit")
    ),
    ("INFO expiration", "revoked lease: lease_id={}", (s.pool("auth/{w}/login/", 0, 6),)),
    ("WARN -", Rare("no TLS configured, serving plaintext HTTP on {}"), (addr,)),
]


def _sig(sid: int, rev: int, text: str, klass: str, prio: int, proto: str) -> Event:
    head = f"[1:{sid}:{rev}] {text} [**] [Classification: {klass}] [Priority: {prio}] "
    return ("", head + f"{{{{{proto}}}}} {{}} -> {{}}", (addr, addr))


SURICATA: list[Event] = [
    _sig(
        2010935,
        3,
        "ET POLICY Suspicious inbound to MSSQL port 1433",
        "Potentially Bad Traffic",
        2,
        "TCP",
    ),
    _sig(
        2010937,
        3,
        "ET POLICY Suspicious inbound to mySQL port 3306",
        "Potentially Bad Traffic",
        2,
        "TCP",
    ),
    _sig(2001219, 20, "ET SCAN Potential SSH Scan", "Attempted Information Leak", 2, "TCP"),
    _sig(2003068, 7, "ET SCAN Potential SSH Scan OUTBOUND", "Attempted Information Leak", 2, "TCP"),
    _sig(
        2210020,
        2,
        "SURICATA STREAM ESTABLISHED packet out of window",
        "Generic Protocol Command Decode",
        3,
        "TCP",
    ),
    _sig(
        2210045,
        2,
        "SURICATA STREAM Packet with invalid ack",
        "Generic Protocol Command Decode",
        3,
        "TCP",
    ),
    _sig(
        2210029,
        2,
        "SURICATA STREAM ESTABLISHED invalid ack",
        "Generic Protocol Command Decode",
        3,
        "TCP",
    ),
    _sig(
        2027865, 4, "ET INFO Observed DNS Query to .cloud TLD", "Potentially Bad Traffic", 2, "UDP"
    ),
    _sig(2013028, 8, "ET POLICY curl User-Agent Outbound", "Attempted Information Leak", 2, "TCP"),
    _sig(2100366, 8, "GPL ICMP_INFO PING *NIX", "Misc activity", 3, "ICMP"),
    _sig(2100384, 5, "GPL ICMP_INFO PING", "Misc activity", 3, "ICMP"),
    _sig(2402000, 6812, "ET DROP Dshield Block Listed Source group 1", "Misc Attack", 2, "TCP"),
    _sig(
        2260002,
        1,
        "SURICATA Applayer Detect protocol only one direction",
        "Generic Protocol Command Decode",
        3,
        "TCP",
    ),
    _sig(
        2221010,
        1,
        "SURICATA HTTP unable to match response to request",
        "Generic Protocol Command Decode",
        3,
        "TCP",
    ),
    _sig(
        2019401,
        3,
        "ET POLICY Vulnerable Java Version 1.8.x Detected",
        "Potentially Bad Traffic",
        2,
        "TCP",
    ),
]
SURICATA.append(
    (
        "",
        Rare(
            "[1:2024897:2] ET USER_AGENTS Go HTTP Client User-Agent [**] [Classification: "
            "Misc activity] [Priority: 3] {{TCP}} {} -> {}"
        ),
        (addr, addr),
    )
)


conn = s.growing(3, 7)
op_n = s.num(0, 40)

SLAPD: list[Event] = [
    (
        "",
        "conn={} fd={} ACCEPT from IP={} (IP=0.0.0.0:{})",
        (conn, s.num(8, 900), addr, s.pick("389", "636")),
    ),
    ("", 'conn={} op={} BIND dn="{}" method=128', (conn, op_n, ldap_dn)),
    (
        "",
        'conn={} op={} BIND dn="{}" mech=SIMPLE bind_ssf=0 ssf={}',
        (conn, op_n, ldap_dn, s.pick("0", "256")),
    ),
    (
        "",
        "conn={} op={} RESULT tag=97 err={} qtime={} etime={} text=",
        (conn, op_n, s.pick("0", "0", "49"), s.dec(0, 0.01, 6), s.dec(0, 2, 6)),
    ),
    (
        "",
        'conn={} op={} SRCH base="{}" scope={} deref=0 filter="{}"',
        (conn, op_n, ldap_base, s.pick("0", "1", "2"), ldap_filter),
    ),
    ("", "conn={} op={} SRCH attr={}", (conn, op_n, attr_list)),
    (
        "",
        "conn={} op={} SEARCH RESULT tag=101 err=0 qtime={} etime={} nentries={} text=",
        (conn, op_n, s.dec(0, 0.01, 6), s.dec(0, 2, 6), s.growing(1, 4)),
    ),
    ("", "conn={} op={} UNBIND", (conn, op_n)),
    ("", "conn={} fd={} closed", (conn, s.num(8, 900))),
    ("", "conn={} fd={} closed (connection lost)", (conn, s.num(8, 900))),
    ("", "conn={} op={} EXT oid=1.3.6.1.4.1.1466.20037", (conn, op_n)),
    ("", "conn={} op={} STARTTLS", (conn, op_n)),
    (
        "",
        "conn={} fd={} TLS established tls_ssf=256 ssf=256 tls_proto=TLSv1.3 "
        "tls_cipher=TLS_AES_256_GCM_SHA384",
        (conn, s.num(8, 900)),
    ),
    ("", 'conn={} op={} MOD dn="{}"', (conn, op_n, ldap_dn)),
    ("", "conn={} op={} MOD attr={}", (conn, op_n, attr_list)),
    ("", Rare('conn={} op={} ADD dn="{}"'), (conn, op_n, ldap_dn)),
    ("", Rare('conn={} op={} DEL dn="{}"'), (conn, op_n, ldap_dn)),
    ("", Rare("conn={} op={} ABANDON msg={}"), (conn, op_n, op_n)),
    ("", Rare('conn={} op={} do_search: invalid dn: "{}"'), (conn, op_n, s.pool("{w}", 0, 20))),
]

_TGT = "krbtgt/EXAMPLE.COM@EXAMPLE.COM"
_REQ = "({}) {}: "
_REQ_SLOTS = (etype_list, s.ip)
_ISSUED = "etypes {{rep={}, tkt={}, ses={}}}"

KDC: list[Event] = [
    (
        "info",
        "AS_REQ "
        + _REQ
        + f"NEEDED_PREAUTH: {{}} for {_TGT}, Additional pre-authentication required",
        (*_REQ_SLOTS, client_principal),
    ),
    (
        "info",
        "AS_REQ " + _REQ + f"ISSUE: authtime {{}}, {_ISSUED}, {{}} for {_TGT}",
        (*_REQ_SLOTS, epoch, etype, etype, etype, client_principal),
    ),
    (
        "info",
        "TGS_REQ " + _REQ + f"ISSUE: authtime {{}}, {_ISSUED}, {{}} for {{}}",
        (*_REQ_SLOTS, epoch, etype, etype, etype, client_principal, service_principal),
    ),
    (
        "info",
        "AS_REQ " + _REQ + f"CLIENT_NOT_FOUND: {{}} for {_TGT}, Client not found in Kerberos "
        "database",
        (*_REQ_SLOTS, client_principal),
    ),
    (
        "info",
        "AS_REQ " + _REQ + f"PREAUTH_FAILED: {{}} for {_TGT}, Preauthentication failed",
        (*_REQ_SLOTS, client_principal),
    ),
    (
        "info",
        "TGS_REQ " + _REQ + "LOOKING_UP_SERVER: authtime 0,  {} for {}, Server not found in "
        "Kerberos database",
        (*_REQ_SLOTS, client_principal, service_principal),
    ),
    ("info", "closing down fd {}", (s.num(8, 90),)),
    ("Error", Rare("preauth (encrypted_timestamp) verify failure: Preauthentication failed"), ()),
    (
        "info",
        Rare(
            "AS_REQ "
            + _REQ
            + f"LOCKED_OUT: {{}} for {_TGT}, Client's credentials have been revoked"
        ),
        (*_REQ_SLOTS, client_principal),
    ),
    ("info", Rare("commencing operation"), ()),
    ("info", Rare("setting up network..."), ()),
    ("info", Rare("listening on fd {}: udp {}.88"), (s.num(8, 30), s.ip)),
]
