"""Headers of widely used loggers and daemons, written from their documented default formats,
around one set of invented events: whatever the header, the events must group the same.

Each format is a function of ``(rng, line number, level, event number)`` returning a header
with ``{}`` where the message goes. What a source writes once per event (its logger, module,
message id) follows the event; what varies per line (thread, pid, clock, stream) is drawn.
Left out, as a line's own text by the usual reading of such logs: a syslog-relayed program
that writes its own clock and level (hashicorp's logger behind journald), NetworkManager's
``<info>`` after the program, PHP's ``PHP Warning:`` and MySQL 8's ``[System]`` level (not a
level word elsewhere).
"""

from __future__ import annotations

import random
from collections.abc import Callable

EVENTS: list[Callable[[random.Random], str]] = [
    lambda r: f"Connection from 10.{r.randrange(256)}.0.{r.randrange(256)} accepted",
    lambda r: (
        f"Started job {r.choice(('alpha', 'beta', 'gamma', 'delta', 'omega'))}-"
        f"{r.randrange(999)} in {r.randrange(9999)} ms"
    ),
    lambda r: f"cache miss for key user:{r.randrange(99999)}",
    lambda r: "Server started",
    lambda r: f"Retrying request {r.randrange(10**6)} after error: timeout",
    lambda r: f"Loaded {r.randrange(500)} plugins from /opt/app/plugins",
    lambda r: (
        f"User {r.choice(('alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'))} logged in"
    ),
    lambda r: f"Disk usage at {r.randrange(100)}% on /dev/sd{r.choice('abc')}{r.randrange(1, 4)}",
]
LEVELS = ("INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG")

Format = Callable[[random.Random, int, str, int], str]


def _pick(options: tuple[str, ...], k: int) -> str:
    return options[k % len(options)]


def _day(i: int) -> str:
    return f"2024-03-{1 + i % 28:02d}"


def _time(i: int) -> str:
    return f"{i % 24:02d}:{i % 60:02d}:{i * 7 % 60:02d}"


def _ms(r: random.Random) -> str:
    return f"{r.randrange(1000):03d}"


def _us(r: random.Random) -> str:
    return f"{r.randrange(10**6):06d}"


_PHP = {"INFO": "INFO", "WARN": "WARNING", "ERROR": "ERROR", "DEBUG": "DEBUG"}
_DOTNET = {"INFO": "info", "WARN": "warn", "ERROR": "fail", "DEBUG": "dbug"}
_CLICKHOUSE = {"INFO": "Information", "WARN": "Warning", "ERROR": "Error", "DEBUG": "Debug"}
_POSTGRES = {"INFO": "LOG", "WARN": "WARNING", "ERROR": "ERROR", "DEBUG": "DEBUG1"}
_PUPPET = {"INFO": "notice", "WARN": "warning", "ERROR": "err", "DEBUG": "debug"}
_ZEROLOG = {"INFO": "INF", "WARN": "WRN", "ERROR": "ERR", "DEBUG": "DBG"}
_NEST = {"INFO": "LOG", "WARN": "WARN", "ERROR": "ERROR", "DEBUG": "DEBUG"}

FORMATS: dict[str, Format] = {
    "monolog": lambda r, i, lv, k: (
        f'[{_day(i)}T{_time(i)}.{_us(r)}+00:00] app.{_PHP[lv]}: {{}} {{"uid":{r.randrange(99)}}} []'
    ),
    "laravel": lambda r, i, lv, k: (
        f"[{_day(i)} {_time(i)}] {r.choice(('local', 'production'))}.{_PHP[lv]}: {{}}"
    ),
    "hclog": lambda r, i, lv, k: (
        f"{_day(i)}T{_time(i)}.{_ms(r)}Z [{lv}] "
        f"{_pick(('agent', 'agent.server', 'agent.client.serf'), k)}: {{}}"
    ),
    "rust_tracing": lambda r, i, lv, k: (
        f"{_day(i)}T{_time(i)}.{_us(r)}Z {lv:>5} "
        f"{_pick(('my_app::server', 'my_app::db::pool', 'hyper::proto'), k)}: {{}}"
    ),
    "go_zap": lambda r, i, lv, k: (
        f"{_day(i)}T{_time(i)}.{_ms(r)}Z\t{lv.lower()}\t"
        f"{_pick(('server/main.go', 'db/pool.go', 'cache/lru.go'), k)}:{r.randrange(400)}\t{{}}"
    ),
    "clickhouse": lambda r, i, lv, k: (
        f"{_day(i).replace('-', '.')} {_time(i)}.{_us(r)} "
        f"[ {r.randrange(100, 9999)} ] {{{r.randrange(16**8):08x}-{r.randrange(16**4):04x}}} "
        f"<{_CLICKHOUSE[lv]}> {_pick(('Application', 'TCPHandler', 'MergeTreeData'), k)}: {{}}"
    ),
    "cockroach": lambda r, i, lv, k: (
        f"{lv[0]}2403{1 + i % 28:02d} {_time(i)}.{_us(r)} "
        f"{r.randrange(1, 999)} {_pick(('server/server.go', 'kv/txn.go', 'sql/conn.go'), k)}:"
        f"{r.randrange(900)} \u22ee [n{r.randrange(1, 4)}] {{}}"
    ),
    "tomcat": lambda r, i, lv, k: (
        f"{1 + i % 28:02d}-Mar-2024 {_time(i)}.{_ms(r)} "
        f"{_PHP[lv]} [{r.choice(('main', 'http-nio-8080-exec-1', 'http-nio-8080-exec-12'))}] "
        f"{_pick(('org.apache.catalina.startup.Catalina', 'org.example.Pool'), k)}.start {{}}"
    ),
    "cisco_ios": lambda r, i, lv, k: (
        f"*Mar {1 + i % 28:>2} {_time(i)}.{_ms(r)}: "
        f"%{_pick(('SYS', 'LINK', 'SEC'), k)}-{k % 6 + 1}-"
        f"{_pick(('CONFIG_I', 'UPDOWN', 'IPACCESSLOGP'), k)}: {{}}"
    ),
    "rabbitmq": lambda r, i, lv, k: (
        f"{_day(i)} {_time(i)}.{_ms(r)} [{lv.lower()}] <0.{r.randrange(9999)}.0> {{}}"
    ),
    "python_logging": lambda r, i, lv, k: (
        f"{_day(i)} {_time(i)},{_ms(r)} - "
        f"{_pick(('app.server', 'app.db', 'urllib3.connectionpool'), k)} - {_PHP[lv]} - {{}}"
    ),
    "python_basic": lambda r, i, lv, k: (
        f"{_PHP[lv]}:{_pick(('app.server', 'root', 'app.db'), k)}:{{}}"
    ),
    "cassandra": lambda r, i, lv, k: (
        f"{lv:<5} [{r.choice(('main', 'CompactionExecutor:3'))}] "
        f"{_day(i)} {_time(i)},{_ms(r)} "
        f"{_pick(('CassandraDaemon', 'ColumnFamilyStore', 'Gossiper'), k)}.java:"
        f"{r.randrange(900)} - {{}}"
    ),
    "logback": lambda r, i, lv, k: (
        f"{_time(i)}.{_ms(r)} "
        f"[{r.choice(('main', 'pool-1-thread-3', 'http-nio-8080-exec-7'))}] {lv:<5} "
        f"{_pick(('c.e.a.Server', 'c.e.d.Pool', 'o.a.Cache'), k)} - {{}}"
    ),
    "kafka": lambda r, i, lv, k: (
        f"[{_day(i)} {_time(i)},{_ms(r)}] {lv} {{}} "
        f"({_pick(('kafka.server.KafkaServer', 'kafka.log.LogManager'), k)})"
    ),
    "nginx_error": lambda r, i, lv, k: (
        f"{_day(i).replace('-', '/')} {_time(i)} [{lv.lower()}] "
        f"{r.randrange(1, 9999)}#{r.randrange(9)}: *{r.randrange(10**5)} {{}}"
    ),
    "apache_error": lambda r, i, lv, k: (
        f"[Mon Mar {1 + i % 28:02d} {_time(i)}.{_us(r)} 2024] "
        f"[{_pick(('core', 'ssl', 'proxy'), k)}:{lv.lower()}] "
        f"[pid {r.randrange(9999)}:tid {r.randrange(10**9)}] "
        f"[client 10.0.0.{r.randrange(256)}:{r.randrange(65536)}] {{}}"
    ),
    "dotnet_console": lambda r, i, lv, k: (
        f"{_DOTNET[lv]}: "
        f"{_pick(('Microsoft.Hosting.Lifetime', 'App.Services.Worker'), k)}"
        f"[{_pick(('0', '14'), k)}] "
        "{}"
    ),
    "gunicorn": lambda r, i, lv, k: (
        f"[{_day(i)} {_time(i)} +0000] [{r.randrange(9999)}] [{lv}] {{}}"
    ),
    "caddy": lambda r, i, lv, k: (
        f"{1.7e9 + i:.4f}\t{lv.lower()}\t{_pick(('http.log.access', 'tls', 'http'), k)}\t{{}}"
    ),
    "winston": lambda r, i, lv, k: f"{_day(i)}T{_time(i)}.{_ms(r)}Z {lv.lower()}: {{}}",
    "jenkins": lambda r, i, lv, k: (
        f"{_day(i)}T{_time(i)}.{_ms(r)}+0000 [id={r.randrange(999)}]\t"
        f"{_PHP[lv]}\t{_pick(('h.r.SafeRestart', 'jenkins.InitReactorRunner'), k)}#run: {{}}"
    ),
    "salt": lambda r, i, lv, k: (
        f"{_day(i)} {_time(i)},{_ms(r)} "
        f"[{_pick(('salt.minion', 'salt.utils.event'), k):<17}:{r.randrange(1, 999):<4}]"
        f"[{lv:<8}][{r.randrange(100, 99999)}] {{}}"
    ),
    "logstash": lambda r, i, lv, k: (
        f"[{_day(i)}T{_time(i)},{_ms(r)}][{lv:<5}]"
        f"[{_pick(('logstash.javapipeline', 'logstash.agent'), k):<25}][main] {{}}"
    ),
    "elasticsearch": lambda r, i, lv, k: (
        f"[{_day(i)}T{_time(i)},{_ms(r)}][{lv:<5}]"
        f"[{_pick(('o.e.n.Node', 'o.e.c.s.ClusterApplierService'), k):<25}] "
        f"[{r.choice(('node-1', 'data-a'))}] {{}}"
    ),
    "wildfly": lambda r, i, lv, k: (
        f"{_time(i)},{_ms(r)} {lv:<5} "
        f"[{_pick(('org.jboss.as.server', 'org.hibernate.Version'), k)}] "
        f"({r.choice(('ServerService Thread Pool -- 45', 'MSC service thread 1-3', 'main'))}) "
        f"{_pick(('WFLYSRV0010', 'HHH000412'), k)}: {{}}"
    ),
    "quarkus": lambda r, i, lv, k: (
        f"{_day(i)} {_time(i)},{_ms(r)} {lv:<5} "
        f"[{_pick(('org.keycloak.services', 'io.quarkus'), k)}] "
        f"({r.choice(('main', 'executor-thread-1'))}) {{}}"
    ),
    "solr": lambda r, i, lv, k: (
        f"{_day(i)} {_time(i)}.{_ms(r)} {lv:<5} "
        f"(qtp{r.randrange(10**9)}-{r.randrange(99)}) [c:logs s:shard{r.randrange(1, 3)} "
        f"r:core_node{r.randrange(1, 9)} x:logs_shard1_replica_n{r.randrange(1, 4)}] "
        f"{_pick(('o.a.s.c.S.Request', 'o.a.s.u.DirectUpdateHandler2'), k)} {{}}"
    ),
    "aws_lambda": lambda r, i, lv, k: (
        f"{_day(i)}T{_time(i)}.{_ms(r)}Z\t"
        f"{r.randrange(16**8):08x}-{r.randrange(16**4):04x}-4{r.randrange(16**3):03x}-"
        f"a{r.randrange(16**3):03x}-{r.randrange(16**12):012x}\t{lv}\t{{}}"
    ),
    "heroku": lambda r, i, lv, k: (
        f"{_day(i)}T{_time(i)}.{_us(r)}+00:00 app[{r.choice(('web.1', 'web.2', 'worker.1'))}]: {{}}"
    ),
    "supervisor": lambda r, i, lv, k: f"{_day(i)} {_time(i)},{_ms(r)} {lv} {{}}",
    "ansible": lambda r, i, lv, k: (
        f"{_day(i)} {_time(i)},{_ms(r)} p={r.randrange(99999)} "
        f"u={r.choice(('root', 'deploy'))} n=ansible | {{}}"
    ),
    "puppet": lambda r, i, lv, k: f"{_day(i)} {_time(i)} +0000 Puppet ({_PUPPET[lv]}): {{}}",
    "chef": lambda r, i, lv, k: f"[{_day(i)}T{_time(i)}+00:00] {lv}: {{}}",
    "game_server": lambda r, i, lv, k: (
        f"[{_time(i)}] [{_pick(('Server thread', 'main', 'Worker-Main-3'), k)}/{lv}]: {{}}"
    ),
    "kernel_syslog": lambda r, i, lv, k: (
        f"Mar  {1 + i % 9} {_time(i)} host kernel: [{i * 3.1 + 1:12.6f}] {{}}"
    ),
    "journal_precise": lambda r, i, lv, k: (
        f"Mar {1 + i % 28:02d} {_time(i)}.{_us(r)} host "
        f"{_pick(('systemd[1]', 'sshd[812]', 'cron[77]'), k)}: {{}}"
    ),
    "cisco_asa": lambda r, i, lv, k: (
        f"Mar {1 + i % 28:02d} 2024 {_time(i)} asa01 : "
        f"%ASA-{r.randrange(1, 7)}-{_pick(('302013', '106023', '305011'), k)}: {{}}"
    ),
    "junos": lambda r, i, lv, k: (
        f"Mar  {1 + i % 9} {_time(i)}  {r.choice(('mx1', 'mx2'))} "
        f"{_pick(('rpd', 'mgd', 'chassisd'), k)}[{r.randrange(9999)}]: "
        f"{_pick(('RPD_BGP_NEIGHBOR_STATE_CHANGED', 'UI_COMMIT', 'CHASSISD_SNMP_TRAP'), k)}: {{}}"
    ),
    "airflow": lambda r, i, lv, k: (
        f"[{_day(i)}, {_time(i)} UTC] "
        f"{{{_pick(('taskinstance.py', 'logging_mixin.py'), k)}:{r.randrange(2000)}}} {lv} - {{}}"
    ),
    "go_log": lambda r, i, lv, k: f"{_day(i).replace('-', '/')} {_time(i)} {{}}",
    "go_log_file": lambda r, i, lv, k: (
        f"{_day(i).replace('-', '/')} {_time(i)}.{_us(r)} "
        f"{_pick(('main.go', 'server.go', 'handler.go'), k)}:{r.randrange(300)}: {{}}"
    ),
    "kubernetes_cri": lambda r, i, lv, k: (
        f"{_day(i)}T{_time(i)}.{r.randrange(10**9):09d}Z {r.choice(('stdout', 'stderr'))} F {{}}"
    ),
    "absl": lambda r, i, lv, k: (
        f"{lv[0]}03{1 + i % 28:02d} {_time(i)}.{_us(r)} "
        f"{r.randrange(1, 99999):>7} {_pick(('train.py', 'data.py', 'model.py'), k)}:"
        f"{r.randrange(500)}] {{}}"
    ),
    "haproxy_syslog": lambda r, i, lv, k: (
        f"Mar  {1 + i % 9} {_time(i)} lb1 haproxy[{r.randrange(9999)}]: {{}}"
    ),
    "postgres": lambda r, i, lv, k: (
        f"{_day(i)} {_time(i)}.{_ms(r)} UTC [{r.randrange(99999)}] "
        f"{r.choice(('app@prod', 'postgres@postgres'))} {_POSTGRES[lv]}:  {{}}"
    ),
    "envoy": lambda r, i, lv, k: (
        f"[{_day(i)} {_time(i)}.{_ms(r)}][{r.randrange(1, 99)}]"
        f"[{lv.lower()}][{_pick(('main', 'upstream', 'config'), k)}] "
        f"[source/{_pick(('server/server.cc', 'common/upstream/cluster_manager_impl.cc'), k)}:"
        f"{r.randrange(900)}] {{}}"
    ),
    "zerolog_console": lambda r, i, lv, k: (
        f"{1 + i % 12}:{i % 60:02d}{r.choice(('AM', 'PM'))} {_ZEROLOG[lv]} {{}}"
    ),
    "uvicorn": lambda r, i, lv, k: f"{_PHP[lv] + ':':<10}{{}}",
    "nestjs": lambda r, i, lv, k: (
        f"[Nest] {r.randrange(1000, 99999)}  - 03/{1 + i % 28:02d}/2024, "
        f"{1 + i % 12}:{i % 60:02d}:00 {r.choice(('AM', 'PM'))} {_NEST[lv]:>7} "
        f"[{_pick(('RouterExplorer', 'InstanceLoader', 'NestApplication'), k)}] {{}} "
        f"+{r.randrange(99)}ms"
    ),
    "akka": lambda r, i, lv, k: (
        f"[{lv}] [03/{1 + i % 28:02d}/2024 {_time(i)}.{_ms(r)}] "
        f"[system-akka.actor.default-dispatcher-{r.randrange(2, 20)}] "
        f"[akka://system/user/{_pick(('router', 'worker', 'supervisor'), k)}] {{}}"
    ),
    "elixir": lambda r, i, lv, k: f"{_time(i)}.{_ms(r)} [{_PHP[lv].lower()}] {{}}",
    "hf_transformers": lambda r, i, lv, k: (
        f"03/{1 + i % 28:02d}/2024 {_time(i)} - {lv} - "
        f"{_pick(('transformers.trainer', 'datasets.builder', '__main__'), k)} - {{}}"
    ),
    "windows_update": lambda r, i, lv, k: (
        f"2024/03/{1 + i % 28:02d} {_time(i)}."
        f"{r.randrange(10**7):07d} {r.randrange(100, 9999):<5} {r.randrange(100, 9999):<5} "
        f"{_pick(('Agent', 'Handler', 'DownloadManager', 'ComApi'), k):<15} {{}}"
    ),
    "sqlserver": lambda r, i, lv, k: (
        f"{_day(i)} {_time(i)}.{r.randrange(100):02d} "
        f"{r.choice(('spid12s', 'spid7s', 'Server', 'Logon', 'spid51')):<12} {{}}"
    ),
    "esxi_hostd": lambda r, i, lv, k: (
        f"{_day(i)}T{_time(i)}.{_ms(r)}Z {lv.lower()} "
        f"hostd[{r.randrange(99999)}] [Originator@6876 "
        f"sub={_pick(('Vimsvc.TaskManager', 'Hostsvc.VmkVprobSource', 'Solo.Vmomi'), k)} "
        f"opID={r.randrange(16**6):06x}-{r.randrange(99):02d} user=root] {{}}"
    ),
    "bigip": lambda r, i, lv, k: (
        f"Mar  {1 + i % 9} {_time(i)} bigip1 {lv.lower()} "
        f"{_pick(('tmm', 'mcpd', 'httpd'), k)}[{r.randrange(9999)}]: {{}}"
    ),
    "clamav": lambda r, i, lv, k: f"Fri Mar  {1 + i % 9} {_time(i)} 2024 -> {{}}",
    "unbound": lambda r, i, lv, k: (
        f"[{1709287200 + i}] unbound[{r.randrange(9999)}:{r.randrange(4)}] {lv.lower()}: {{}}"
    ),
    "sendmail": lambda r, i, lv, k: (
        f"Mar  {1 + i % 9} {_time(i)} mail "
        f"sendmail[{r.randrange(99999)}]: {r.randrange(16**4):04X}{r.choice('abcdefghij')}"
        f"{r.randrange(10**6):06d}: {{}}"
    ),
    "coredns": lambda r, i, lv, k: (
        f"[{lv}] {_pick(('plugin/reload', 'plugin/health', 'plugin/errors'), k)}: {{}}"
    ),
    "rails": lambda r, i, lv, k: (
        f"{lv[0]}, [{_day(i)}T{_time(i)}.{_us(r)} "
        f"#{r.randrange(99999)}] {lv:>5} -- : [{r.randrange(16**8):08x}-{r.randrange(16**4):04x}] "
        "{}"
    ),
    "java_util_logging": lambda r, i, lv, k: (
        f"Mar {1 + i % 28:02d}, 2024 {1 + i % 12}:"
        f"{i % 60:02d}:00 {r.choice(('AM', 'PM'))} "
        f"{_pick(('org.example.App', 'org.example.db.Pool'), k)} {_pick(('main', 'run'), k)} "
        f"{_PHP[lv]}: {{}}"
    ),
    "mongodb_legacy": lambda r, i, lv, k: (
        f"{_day(i)}T{_time(i)}.{_ms(r)}+0000 {lv[0]} "
        f"{_pick(('NETWORK', 'STORAGE', 'COMMAND', 'REPL'), k):<8} "
        f"[{r.choice(('conn12', 'conn345', 'initandlisten', 'ReplicationExecutor'))}] {{}}"
    ),
    "vsftpd": lambda r, i, lv, k: (
        f"Fri Mar  {1 + i % 9} {_time(i)} 2024 [pid {r.randrange(99999)}] {{}}"
    ),
    "openvpn": lambda r, i, lv, k: (
        f"{_day(i)} {_time(i)} "
        f"{r.choice(('client1', 'client22', 'vpnuser'))}/10.8.0.{r.randrange(256)}:"
        f"{r.randrange(65536)} {{}}"
    ),
    "dmesg_human": lambda r, i, lv, k: f"[Mar {1 + i % 9} {_time(i)} 2024] {{}}",
    "squid_cache": lambda r, i, lv, k: f"{_day(i).replace('-', '/')} {_time(i)} kid1| {{}}",
    "logrus_text": lambda r, i, lv, k: (
        f'time="{_day(i)}T{_time(i)}Z" level={lv.lower()} msg="{{}}"'
    ),
}


def generate_common(name: str, n: int, seed: int) -> tuple[list[str], list[int]]:
    """``n`` lines of format ``name`` and each line's event number."""
    r = random.Random(seed)
    lines, truth = [], []
    for i in range(n):
        k = r.randrange(len(EVENTS))
        header = FORMATS[name](r, i, r.choice(LEVELS), k)
        lines.append(header.replace("{}", EVENTS[k](r), 1))
        truth.append(k)
    return lines, truth
