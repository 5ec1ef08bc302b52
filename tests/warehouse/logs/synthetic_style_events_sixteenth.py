"""Event tables of the sixteenth set of invented log styles, part 1 of two: ``pbx_verbose``,
``smb_prefix``, ``x_server`` and ``object_store_osd`` (``x_server`` is left out of the set). The
set, with its record, its headers and ``SIXTEENTH_STYLES``, is
:mod:`tests.warehouse.logs.synthetic_styles_sixteenth`."""

from __future__ import annotations

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_slots_sixteenth import (
    acting,
    app,
    ceph_addr,
    ceph_stamp,
    channel,
    context,
    dial_target,
    extension,
    input_name,
    iso_clock,
    module,
    option_value,
    osd,
    output,
    pg,
    samba_addr,
    share,
    sid,
    sip_uri,
)
from tests.warehouse.logs.synthetic_styles import Event, Rare

PBX: list[Event] = [
    (
        "VERBOSE pbx.c",
        '-- Executing [{}@{}:{}] {}("{}", "{}") in new stack',
        (extension, context, s.num(1, 40), app, channel, dial_target),
    ),
    ("VERBOSE app_dial.c", "-- Called {}", (dial_target,)),
    ("VERBOSE app_dial.c", "-- {} is ringing", (channel,)),
    ("VERBOSE app_dial.c", "-- {} answered {}", (channel, channel)),
    ("VERBOSE app_dial.c", "== Everyone is busy/congested at this time (1:0/0/1)", ()),
    (
        "VERBOSE bridge_channel.c",
        "-- Channel {} joined 'simple_bridge' basic-bridge <{}>",
        (channel, s.uuid),
    ),
    (
        "VERBOSE bridge_channel.c",
        "-- Channel {} left 'simple_bridge' basic-bridge <{}>",
        (channel, s.uuid),
    ),
    (
        "VERBOSE pbx.c",
        "== Spawn extension ({}, {}, {}) exited non-zero on '{}'",
        (context, extension, s.num(1, 40), channel),
    ),
    (
        "VERBOSE file.c",
        "-- <{}> Playing '{}.slin' (language 'en')",
        (channel, s.pool("custom/{w}", 0, 10)),
    ),
    (
        "NOTICE res_pjsip/pjsip_distributor.c",
        "Request 'REGISTER' from '\"{}\" <{}>' failed for '{}' (callid: {}) - "
        "Failed to authenticate",
        (s.user, sip_uri, s.ip_port, s.hexn(32)),
    ),
    (
        "NOTICE res_pjsip/pjsip_distributor.c",
        "Request 'INVITE' from '<{}>' failed for '{}' (callid: {}) - No matching endpoint found",
        (sip_uri, s.ip_port, s.hexn(32)),
    ),
    (
        "WARNING res_pjsip_outbound_registration.c",
        "No response received from 'sip:{}.example.org' on registration attempt to "
        "'sip:{}@{}.example.org', retrying in '{}'",
        (s.host, s.num(10**5, 10**7), s.host, s.num(10, 60)),
    ),
    (
        "NOTICE res_pjsip_outbound_registration.c",
        Rare("Outbound registration to 'sip:{}.example.org' with '{}' is now Registered"),
        (s.host, s.user),
    ),
    (
        "ERROR res_rtp_asterisk.c",
        Rare("RTP Read too short ({} bytes)"),
        (s.num(0, 11),),
    ),
    ("WARNING chan_pjsip.c", "Hangup of {} due to cause 16 (Normal Clearing)", (channel,)),
    ("WARNING chan_pjsip.c", "Hangup of {} due to cause 17 (User busy)", (channel,)),
    ("NOTICE cdr.c", Rare("CDR simple logging enabled."), ()),
    (
        "VERBOSE app_queue.c",
        "-- Started music on hold, class '{}', on channel '{}'",
        (s.pool("{w}", 0, 6), channel),
    ),
    (
        "VERBOSE app_queue.c",
        "-- Stopped music on hold on {}",
        (channel,),
    ),
]


SAMBA: list[Event] = [
    (
        "1 smbd/service.c:1123(make_connection_snum)",
        "{} ({}) connect to service {} initially as user {} (uid={}, gid={}) (pid {})",
        (
            s.user,
            samba_addr,
            share,
            s.user,
            s.num(1000, 60000),
            s.num(100, 60000),
            s.num(300, 99999),
        ),
    ),
    (
        "1 smbd/service.c:1345(close_cnum)",
        "{} ({}) closed connection to service {}",
        (s.user, samba_addr, share),
    ),
    (
        "2 auth/auth_log.c:636(log_authentication_event_human_readable)",
        "Auth: [SMB2,(null)] user [{}]\\[{}] at [{}] with [NTLMv2] status [NT_STATUS_OK] "
        "workstation [{}] remote host [{}] became [{}]\\[{}] [{}]. local host [{}]",
        (
            s.pick("CORP", "LAB"),
            s.user,
            iso_clock,
            s.host,
            samba_addr,
            s.pick("CORP", "LAB"),
            s.user,
            sid,
            samba_addr,
        ),
    ),
    (
        "2 auth/auth_log.c:636(log_authentication_event_human_readable)",
        "Auth: [SMB2,(null)] user [{}]\\[{}] at [{}] with [NTLMv2] status "
        "[NT_STATUS_WRONG_PASSWORD] workstation [{}] remote host [{}] mapped to [{}]\\[{}]. "
        "local host [{}]",
        (
            s.pick("CORP", "LAB"),
            s.user,
            iso_clock,
            s.host,
            samba_addr,
            s.pick("CORP", "LAB"),
            s.user,
            samba_addr,
        ),
    ),
    (
        "0 smbd/server.c:1783(main)",
        Rare("smbd version {} started."),
        (s.version,),
    ),
    (
        "3 smbd/oplock.c:812(oplock_break)",
        "Sending break to none for file {}/{} fnum = {}",
        (share, s.pool("{w}.docx", 0, 30), s.growing(2, 9)),
    ),
    (
        "1 lib/util_sock.c:124(read_fd_with_timeout)",
        "read_fd_with_timeout: client {} read error = Connection reset by peer.",
        (samba_addr,),
    ),
    (
        "0 smbd/process.c:1012(smbd_server_connection_terminate_ex)",
        "Server exit (NT_STATUS_CONNECTION_RESET)",
        (),
    ),
    (
        "0 smbd/process.c:1012(smbd_server_connection_terminate_ex)",
        "Server exit (NT_STATUS_END_OF_FILE)",
        (),
    ),
    (
        "3 smbd/smb2_server.c:3211(smbd_smb2_request_error_ex)",
        "smbd_smb2_request_error_ex: idx[{}] status[NT_STATUS_OBJECT_NAME_NOT_FOUND] || at "
        "smb2_create.c:{}",
        (s.num(1, 5), s.num(200, 1500)),
    ),
    (
        "0 lib/util/become_daemon.c:136(daemon_ready)",
        Rare("daemon_ready: daemon 'smbd' finished starting up and ready to serve connections"),
        (),
    ),
    (
        "2 param/loadparm.c:2984(lp_do_section)",
        'Processing section "[{}]"',
        (share,),
    ),
]


XORG: list[Event] = [
    ("II", 'LoadModule: "{}"', (module,)),
    ("II", "Loading /usr/lib/xorg/modules/{}.so", (s.pool("lib{w}", 0, 14),)),
    ("II", 'Module {}: vendor="X.Org Foundation"', (module,)),
    ("-", "compiled for {}, module version = {}", (s.version, s.version)),
    ("-", "ABI class: X.Org Video Driver, version {}", (s.dec(10, 30, 1),)),
    ("EE", 'Failed to load module "{}" (module does not exist, 0)', (module,)),
    ("WW", "Falling back to old probe method for {}", (module,)),
    (
        "II",
        'modeset(0): Modeline "{}x{}"x{}  {}  {} {} {} {}  {} {} {} {} +hsync +vsync ({} kHz e)',
        (
            s.num(640, 3840),
            s.num(480, 2160),
            s.dec(24, 144, 1),
            s.dec(20, 600, 2),
            *(s.num(640, 4000) for _ in range(4)),
            *(s.num(480, 2300) for _ in range(4)),
            s.dec(20, 140, 1),
        ),
    ),
    ("II", "modeset(0): EDID for output {}", (output,)),
    ("II", "modeset(0): Output {} connected", (output,)),
    ("II", "modeset(0): Output {} disconnected", (output,)),
    ("II", "config/udev: Adding input device {} (/dev/input/event{})", (input_name, s.num(0, 30))),
    ("II", "event{}  - {}: is tagged by udev as: Keyboard", (s.num(0, 30), input_name)),
    ("II", "event{}  - {}: is tagged by udev as: Mouse", (s.num(0, 30), input_name)),
    ("II", "systemd-logind: got pause for {}:{}", (s.num(1, 250), s.num(0, 90))),
    ("II", "systemd-logind: got resume for {}:{}", (s.num(1, 250), s.num(0, 90))),
    ("**", 'Option "{}" "{}"', (s.pool("{W}Mode", 0, 8), option_value)),
    ("==", Rare('Log file renamed from "{}" to "{}"'), (s.unix_path, s.unix_path)),
    ("EE", Rare("AIGLX: reverting to software rendering"), ()),
    (
        "--",
        "PCI:*({}@{}:{}:{}) {}:{}:{}:{} rev {}, Mem @ 0x{}/{}",
        (
            s.num(0, 3),
            s.num(0, 9),
            s.num(0, 31),
            s.num(0, 7),
            s.hexn(4),
            s.hexn(4),
            s.hexn(4),
            s.hexn(4),
            s.num(0, 255),
            s.hexn(8),
            s.growing(4, 9),
        ),
    ),
]


CEPH: list[Event] = [
    ("0", "log_channel(cluster) log [DBG] : {} scrub starts", (pg,)),
    ("0", "log_channel(cluster) log [DBG] : {} scrub ok", (pg,)),
    ("0", "log_channel(cluster) log [DBG] : {} deep-scrub starts", (pg,)),
    ("0", "log_channel(cluster) log [DBG] : {} deep-scrub ok", (pg,)),
    (
        "-1",
        "{} {} heartbeat_check: no reply from {} {} since back {} front {} (oldest deadline {})",
        (osd, s.growing(3, 7), ceph_addr, osd, ceph_stamp, ceph_stamp, ceph_stamp),
    ),
    ("1", "{} {} tick checking mon for new map", (osd, s.growing(3, 7))),
    (
        "0",
        "bluestore(/var/lib/ceph/osd/ceph-{}) log_latency slow operation observed for "
        "submit_transact, latency = {}s",
        (s.num(0, 300), s.dec(5, 60, 9)),
    ),
    (
        "1",
        "{} pg_epoch: {} pg[{}( v {}'{} ({}'{},{}'{}] n={} ec={}/{}) [{}] r={} lpr={} "
        "active+clean] state<Started/Primary/Active>: exit",
        (
            osd,
            s.growing(3, 7),
            pg,
            s.num(100, 9999),
            s.growing(1, 8),
            s.num(100, 9999),
            s.growing(1, 8),
            s.num(100, 9999),
            s.growing(1, 8),
            s.growing(1, 6),
            s.num(1, 99),
            s.num(1, 99),
            acting,
            s.num(0, 2),
            s.num(100, 9999),
        ),
    ),
    (
        "-1",
        "{} {} get_health_metrics reporting {} slow ops, oldest is osd_op(client.{}.0:{} {} "
        "{} (undecoded) ondisk+write+known_if_redirected e{})",
        (
            osd,
            s.growing(3, 7),
            s.num(1, 999),
            s.growing(4, 8),
            s.growing(1, 8),
            pg,
            s.hexn(16),
            s.growing(3, 7),
        ),
    ),
    ("0", Rare("{} {} *** Got signal Terminated ***"), (osd, s.growing(3, 7))),
    (
        "0",
        "{} {} set_numa_affinity not setting numa affinity",
        (osd, s.growing(3, 7)),
    ),
    (
        "-1",
        Rare("{} {} log_to_monitors true"),
        (osd, s.growing(3, 7)),
    ),
    (
        "0",
        "log_channel(cluster) log [WRN] : slow request osd_op(client.{}.0:{} {} {} [write "
        "{}~{}] snapc 0=[] ondisk+write e{}) initiated {} currently waiting for sub ops",
        (
            s.growing(4, 8),
            s.growing(1, 8),
            pg,
            s.hexn(16),
            s.growing(1, 8),
            s.growing(1, 8),
            s.growing(3, 7),
            ceph_stamp,
        ),
    ),
]
