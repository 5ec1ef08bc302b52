"""Event tables of the thirteenth set of invented log styles, part 1 of three:
``cluster_daemons``. The set, with its record, its headers and ``THIRTEENTH_STYLES``, is
:mod:`tests.warehouse.logs.synthetic_styles_thirteenth`."""

from __future__ import annotations

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_slots_thirteenth import dev, iface, job_id, mac, pci, port
from tests.warehouse.logs.synthetic_styles import Event, Rare

CLUSTER: list[Event] = [
    (
        "auth.info sshd",
        "Accepted publickey for {} from {} port {} ssh2: RSA SHA256:{}",
        (s.user, s.ip, port, s.hexn(43)),
    ),
    ("auth.info sshd", "Accepted password for {} from {} port {} ssh2", (s.user, s.ip, port)),
    ("auth.info sshd", "Connection closed by {} port {}", (s.ip, port)),
    (
        "auth.info sshd",
        Rare("Connection closed by authenticating user {} {} port {} [preauth]"),
        (s.user, s.ip, port),
    ),
    (
        "auth.info sshd",
        "pam_unix(sshd:session): session opened for user {} by (uid={})",
        (s.user, s.num(0, 999)),
    ),
    ("auth.info sshd", "pam_unix(sshd:session): session closed for user {}", (s.user,)),
    ("auth.info sshd", Rare("Invalid user {} from {} port {}"), (s.user, s.ip, port)),
    (
        "auth.warning sshd",
        Rare(
            "error: maximum authentication attempts exceeded for {} from {} port {} ssh2 [preauth]"
        ),
        (s.user, s.ip, port),
    ),
    (
        "auth.info sshd",
        Rare("Received disconnect from {} port {}:11: disconnected by user"),
        (s.ip, port),
    ),
    ("auth.info sshd", Rare("Server listening on {} port 22."), (s.ip,)),
    ("cron.info crond", "({}) CMD ({})", (s.user, s.unix_path)),
    ("cron.info crond", Rare("({}) RELOAD (/var/spool/cron/{})"), (s.user, s.user)),
    ("cron.info crond", Rare("(CRON) INFO (running with inotify support)"), ()),
    ("cron.notice crond", Rare("(CRON) STARTUP ({})"), (s.version,)),
    ("kern.info kernel", "nfs: server {} not responding, still trying", (s.host,)),
    ("kern.info kernel", "nfs: server {} OK", (s.host,)),
    (
        "kern.warning kernel",
        Rare(
            "EDAC MC{}: {} CE memory read error on CPU_SrcID#{}_Ha#{}_Chan#{}"
            "_DIMM#{} (channel:{} slot:{} page:0x{} offset:0x{} grain:32 syndrome:0x0)"
        ),
        (
            s.num(0, 3),
            s.num(1, 9),
            s.num(0, 1),
            s.num(0, 1),
            s.num(0, 3),
            s.num(0, 1),
            s.num(0, 3),
            s.num(0, 1),
            s.hexn(6),
            s.hexn(3),
        ),
    ),
    ("kern.info kernel", Rare("{}: renamed from eth{}"), (iface, s.num(0, 3))),
    (
        "kern.info kernel",
        Rare("{}: Link is Up - 10Gbps Full Duplex, Flow Control: RX/TX"),
        (iface,),
    ),
    ("kern.info kernel", Rare("{}: Link is Down"), (iface,)),
    (
        "kern.err kernel",
        Rare(
            "Out of memory: Killed process {} ({}) total-vm:{}kB, anon-rss:{}kB,"
            " file-rss:{}kB, shmem-rss:0kB, UID:{}"
        ),
        (s.num(300, 90000), s.program, s.num(), s.num(), s.num(), s.num(0, 9999)),
    ),
    (
        "kern.warning kernel",
        Rare("TCP: request_sock_TCP: Possible SYN flooding on port {}. Sending cookies."),
        (port,),
    ),
    (
        "kern.info kernel",
        Rare("Lustre: {}: Connection restored to {} (at {}@o2ib)"),
        (s.program, s.host, s.ip),
    ),
    (
        "kern.err kernel",
        Rare(
            "LustreError: {}:{}:(client.c:{}:ptlrpc_expire_one_request()) "
            "@@@ Request sent has timed out for slow reply"
        ),
        (s.num(1000, 99999), s.num(0, 9), s.num(100, 3000)),
    ),
    (
        "kern.info kernel",
        Rare("mlx5_core {}: Port module event: module {}, Cable plugged"),
        (pci, s.num(0, 1)),
    ),
    (
        "kern.info kernel",
        Rare("mlx5_core {}: Port module event: module {}, Cable unplugged"),
        (pci, s.num(0, 1)),
    ),
    ("daemon.info ntpd", "synchronized to {}, stratum {}", (s.ip, s.num(1, 4))),
    ("daemon.info ntpd", Rare("kernel time sync status change {}"), (s.hexn(4),)),
    (
        "daemon.notice ntpd",
        Rare("ntpd {}@1.2349-o exiting on signal {}"),
        (s.version, s.num(1, 15)),
    ),
    ("daemon.info ntpd", Rare("no servers reachable"), ()),
    ("daemon.info dhcpd", "DHCPREQUEST for {} from {} via {}", (s.ip, mac, iface)),
    ("daemon.info dhcpd", "DHCPACK on {} to {} via {}", (s.ip, mac, iface)),
    ("daemon.info dhcpd", Rare("DHCPNAK on {} to {} via {}"), (s.ip, mac, iface)),
    (
        "daemon.info dhcpd",
        Rare("DHCPDISCOVER from {} via {}: network {}: no free leases"),
        (mac, iface, s.ip),
    ),
    ("daemon.info pbs_mom", "Job;{};Started, pid = {}", (job_id, s.num(300, 90000))),
    ("daemon.info pbs_mom", "Job;{};task {} terminated", (job_id, s.hexn(8))),
    ("daemon.info pbs_mom", Rare("Job;{};kill_job"), (job_id,)),
    (
        "daemon.err pbs_mom",
        Rare("Job;{};job exceeded memory limit {}kb > {}kb, killing"),
        (job_id, s.num(), s.num()),
    ),
    ("daemon.info pbs_mom", Rare("Svr;pbs_mom;Restart"), ()),
    ("daemon.info pbs_mom", Rare("Svr;pbs_mom;Is up"), ()),
    ("daemon.info automount", "mounted {} on {}", (s.unix_path, s.unix_path)),
    ("daemon.info automount", Rare("expired {}"), (s.unix_path,)),
    ("daemon.err automount", Rare("lookup(program): lookup for {} failed"), (s.user,)),
    (
        "daemon.err automount",
        Rare("mount(nfs): nfs: mount failure {}:{} on {}"),
        (s.host, s.unix_path, s.unix_path),
    ),
    ("mail.info postfix/pickup", "{}: uid={} from=<{}>", (s.hexn(10), s.num(0, 9999), s.user)),
    (
        "mail.info postfix/qmgr",
        "{}: from=<{}>, size={}, nrcpt={} (queue active)",
        (s.hexn(10), s.email, s.num(300, 90000), s.num(1, 9)),
    ),
    ("mail.info postfix/qmgr", Rare("{}: removed"), (s.hexn(10),)),
    (
        "mail.info postfix/smtp",
        "{}: to=<{}>, relay={}[{}]:25, delay={}, dsn=2.0.0, status=sent "
        "(250 2.0.0 Ok: queued as {})",
        (s.hexn(10), s.email, s.host, s.ip, s.dec(0, 9), s.hexn(10)),
    ),
    (
        "mail.info postfix/smtp",
        Rare(
            "{}: to=<{}>, relay=none, delay={}, dsn=4.4.1, status=deferred"
            " (connect to {}[{}]:25: Connection refused)"
        ),
        (s.hexn(10), s.email, s.dec(0, 900), s.host, s.ip),
    ),
    ("mail.warning postfix/smtp", Rare("warning: {}: host not found"), (s.host,)),
    (
        "daemon.info gmond",
        Rare(
            "Error creating multicast server mcast_join={} port={} "
            "mcast_if=NULL family='inet4'. Will try again..."
        ),
        (s.ip, port),
    ),
    ("daemon.info xinetd", Rare("START: {} pid={} from={}"), (s.program, s.num(300, 90000), s.ip)),
    (
        "daemon.info xinetd",
        Rare("EXIT: {} status={} pid={} duration={}(sec)"),
        (s.program, s.num(0, 255), s.num(300, 90000), s.num(0, 900)),
    ),
    (
        "daemon.warning smartd",
        Rare(
            "Device: /dev/{}, SMART Usage Attribute: 194 Temperature_Celsius changed from {} to {}"
        ),
        (dev, s.num(20, 60), s.num(20, 60)),
    ),
    (
        "daemon.err smartd",
        Rare("Device: /dev/{}, {} Currently unreadable (pending) sectors"),
        (dev, s.num(1, 99)),
    ),
    ("daemon.info rpc.statd", Rare("Version {} starting"), (s.version,)),
    ("daemon.notice rpc.statd", Rare("Flags: TI-RPC"), ()),
    (
        "syslog.info rsyslogd",
        Rare('[origin software="rsyslogd" swVersion="{}" x-pid="{}"] rsyslogd was HUPed'),
        (s.version, s.num(300, 9000)),
    ),
    (
        "daemon.info irqbalance",
        Rare("Balancing is ineffective on systems with a single cpu. Shutting down"),
        (),
    ),
    ("daemon.err ipmievd", Rare("Sensor {} - Upper Critical going high"), (s.klass,)),
    ("daemon.err ipmievd", Rare("Sensor {} - Lower Critical going low"), (s.klass,)),
    (
        "daemon.info slurmd",
        "launch task {}.{} request from {}@{} (port {})",
        (s.num(1000, 99999), s.num(0, 9), s.num(1000, 9999), s.ip, port),
    ),
    ("daemon.info slurmd", Rare("done with job {}"), (s.num(1000, 99999),)),
    ("daemon.info munged", Rare("Purged {} credentials from replay hash"), (s.num(1, 900),)),
    ("user.notice root", Rare("Reboot"), ()),
    ("daemon.info systemd", Rare("Started Session {} of user {}."), (s.num(1, 9999), s.user)),
    ("daemon.info systemd", Rare("Removed slice User Slice of {}."), (s.user,)),
]
