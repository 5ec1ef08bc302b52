"""Event tables of the nineteenth set of invented log styles, part 1 of two: ``rtos_console``,
``router_logread``, ``block_game_server`` and ``game_engine_log`` (``block_game_server`` is left
out of the set). The set, with its record, its headers and ``NINETEENTH_STYLES``, is
:mod:`tests.warehouse.logs.synthetic_styles_nineteenth`."""

from __future__ import annotations

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import hms, iso_day
from tests.warehouse.logs.synthetic_style_slots_nineteenth import (
    _WORDS,
    advancement,
    chat,
    coords,
    device,
    ipv6,
    lan_ip,
    mac_addr,
    mob,
    player,
    ue_map,
    ue_name,
)
from tests.warehouse.logs.synthetic_styles import Event, Rare

ZEPHYR: list[Event] = [
    ("inf net_dhcpv4", "Received: {}", (lan_ip,)),
    ("inf net_dhcpv4", "Lease time: {} seconds", (s.pick("3600", "43200", "86400"),)),
    ("inf net_dhcpv4", "Subnet: 255.255.255.0", ()),
    ("inf net_dhcpv4", "Router: {}", (lan_ip,)),
    (
        "dbg net_if",
        "iface {} ({}) IPv4 addr {} added",
        (s.num(1, 3), lambda r: f"0x{r.getrandbits(32):08x}", lan_ip),
    ),
    (
        "dbg net_if",
        "iface {} ({}) IPv6 addr {} added",
        (s.num(1, 3), lambda r: f"0x{r.getrandbits(32):08x}", ipv6),
    ),
    *(
        ("inf bt_hci_core", f"Connection {{}} {word} (reason 0x{{}})", (mac_addr, s.hexn(2)))
        for word in ("established", "terminated")
    ),
    (
        "inf main",
        "sensor {} temp {} C hum {} %",
        (s.num(0, 3), s.dec(-10, 45, 2), s.dec(10, 99, 1)),
    ),
    (
        "wrn net_tcp",
        "conn {} retransmit seq {} ({} of {})",
        (lambda r: f"0x{r.getrandbits(32):x}", s.num(10**6, 4 * 10**9), s.num(1, 9), s.pick("9")),
    ),
    (
        "err mqtt",
        "Could not connect to {}:{} (err {})",
        (lan_ip, s.pick("1883", "8883"), s.num(-120, -1)),
    ),
    (
        "inf mcumgr_img",
        "Image upload: {} of {} bytes ({}%)",
        (s.growing(3, 6), s.growing(5, 6), s.num(0, 100)),
    ),
    (
        "inf fs_nvs",
        "{} Sectors of {} bytes",
        (s.num(2, 8), s.pick("4096")),
    ),
    ("inf fs_nvs", "alloc wra: {}, {}", (s.num(0, 7), lambda r: f"{r.getrandbits(12):x}")),
    ("inf fs_nvs", "data wra: {}, {}", (s.num(0, 7), lambda r: f"{r.getrandbits(8):x}")),
    ("err os", Rare("***** USAGE FAULT *****"), ()),
    ("err os", Rare("Faulting instruction address (r15/pc): 0x{}"), (s.hexn(8),)),
    ("wrn bt_conn", Rare("Unable to allocate buffer within timeout"), ()),
]

OPENWRT: list[Event] = [
    ("daemon.info dnsmasq-dhcp", "DHCPREQUEST(br-lan) {} {}", (lan_ip, mac_addr)),
    ("daemon.info dnsmasq-dhcp", "DHCPACK(br-lan) {} {} {}", (lan_ip, mac_addr, device)),
    ("daemon.info dnsmasq-dhcp", "DHCPDISCOVER(br-lan) {}", (mac_addr,)),
    ("daemon.info dnsmasq-dhcp", "DHCPOFFER(br-lan) {} {}", (lan_ip, mac_addr)),
    *(
        (
            "daemon.info hostapd",
            f"{{}}: STA {{}} IEEE 802.11: {word}",
            (s.pick("phy0-ap0", "phy1-ap0", "wlan0", "wlan1"), mac_addr),
        )
        for word in ("disassociated", "authenticated")
    ),
    (
        "daemon.info hostapd",
        "{}: STA {} IEEE 802.11: associated (aid {})",
        (s.pick("phy0-ap0", "phy1-ap0", "wlan0", "wlan1"), mac_addr, s.num(1, 30)),
    ),
    (
        "daemon.notice hostapd",
        "{}: AP-STA-CONNECTED {} auth_alg=open",
        (s.pick("phy0-ap0", "phy1-ap0"), mac_addr),
    ),
    (
        "daemon.notice hostapd",
        "{}: AP-STA-DISCONNECTED {}",
        (s.pick("phy0-ap0", "phy1-ap0"), mac_addr),
    ),
    *(
        (
            "daemon.notice netifd",
            f"Interface '{{}}' {state}",
            (s.pick("wan", "wan6", "lan", "guest", "vpn0"),),
        )
        for state in (
            "is now up",
            "is now down",
            "has link connectivity",
            "has lost link connectivity",
            "is setting up now",
        )
    ),
    *(
        (
            "kern.info kernel",
            f"br-lan: port {{}}({{}}) entered {state} state",
            (s.num(1, 4), s.pick("lan1", "lan2", "phy0-ap0", "phy1-ap0")),
        )
        for state in ("blocking", "forwarding", "disabled")
    ),
    ("daemon.warn odhcpd", "No default route present, overriding ra_lifetime!", ()),
    *(
        (
            "daemon.info dnsmasq",
            f"query[{rr}] {{}} from {{}}",
            (lambda r: f"{r.choice(_WORDS)}.{r.choice(('com', 'net', 'org', 'lan'))}", lan_ip),
        )
        for rr in ("A", "AAAA", "HTTPS")
    ),
    (
        "authpriv.info dropbear",
        "Password auth succeeded for 'root' from {}:{}",
        (lan_ip, s.num(1024, 65535)),
    ),
    (
        "authpriv.warn dropbear",
        Rare("Bad password attempt for 'root' from {}:{}"),
        (s.ip, s.num(1024, 65535)),
    ),
    (
        "user.notice firewall",
        Rare("Reloading firewall due to ifup of {} ({})"),
        (s.pick("wan", "wan6", "guest"), s.pick("eth1", "pppoe-wan", "wg0")),
    ),
    ("kern.warn kernel", Rare("nf_conntrack: table full, dropping packet"), ()),
]

MINECRAFT: list[Event] = [
    ("User Authenticator #/INFO", "UUID of player {} is {}", (player, s.uuid)),
    # a server has three dimensions, each its own world: one event each
    *(
        (
            "Server thread/INFO",
            f"{{}}[/{{}}:{{}}] logged in with entity id {{}} at ([{world}]{{}})",
            (player, s.ip, s.num(1024, 65535), s.growing(1, 6), coords),
        )
        for world in ("world", "world_nether", "world_the_end")
    ),
    ("Server thread/INFO", "{} joined the game", (player,)),
    ("Server thread/INFO", "{} left the game", (player,)),
    ("Server thread/INFO", "{} lost connection: Disconnected", (player,)),
    ("Server thread/INFO", "{} lost connection: Timed out", (player,)),
    ("Async Chat Thread - #/INFO", "<{}> {}", (player, chat)),
    ("Server thread/INFO", "{} has made the advancement {}", (player, advancement)),
    *(
        ("Server thread/INFO", f"{{}} was {how} by {{}}", (player, mob))
        for how in ("slain", "shot")
    ),
    ("Server thread/INFO", "{} fell from a high place", (player,)),
    ("Server thread/INFO", "{} drowned", (player,)),
    (
        "Server thread/WARN",
        "Can't keep up! Is the server overloaded? Running {}ms or {} ticks behind",
        (s.growing(4, 5), s.growing(2, 3)),
    ),
    ("Server thread/INFO", "Saving the game (this may take a moment!)", ()),
    ("Server thread/INFO", "Saved the game", ()),
    (
        "Server thread/WARN",
        "{} moved too quickly! {},{},{}",
        (player, s.dec(-99, 99, 14), s.dec(-20, 20, 14), s.dec(-99, 99, 14)),
    ),
    ("Server thread/INFO", Rare('Done ({}s)! For help, type "help"'), (s.dec(3, 90, 3),)),
    ("Server thread/INFO", Rare("Made {} a server operator"), (player,)),
]

UNREAL: list[Event] = [
    (
        "LogNet -",
        "Login request: ?Name={} userId: NULL:{} platform: NULL",
        (player, lambda r: f"{r.choice(_WORDS).upper()}-{s.hexn(32)(r).upper()}"),
    ),
    ("LogNet -", "Join succeeded: {}", (player,)),
    (
        "LogNet -",
        "UChannel::Close: Sending CloseBunch. ChIndex == {}. Name: [UChannel] ChIndex: {}, "
        "Closing: 0 [UNetConnection] RemoteAddr: {}, Name: {}, Driver: GameNetDriver {}, "
        "IsServer: YES, PC: {}, Owner: {}, UniqueId: NULL:{}",
        (
            s.num(0, 9),
            s.num(0, 9),
            s.ip_port,
            ue_name("IpConnection"),
            ue_name("IpNetDriver"),
            ue_name("PlayerController"),
            ue_name("PlayerController"),
            player,
        ),
    ),
    (
        "LogNet Warning",
        "UNetConnection::Tick: Connection TIMED OUT. Closing connection.. Elapsed: {}, Real: {}, "
        "Good: {}, DriverTime: {}, Threshold: {}, [UNetConnection] RemoteAddr: {}",
        (
            s.dec(30, 90, 2),
            s.dec(30, 90, 2),
            s.dec(30, 90, 2),
            s.dec(100, 9999, 2),
            s.dec(30, 60, 2),
            s.ip_port,
        ),
    ),
    (
        "LogStreaming Display",
        "FlushAsyncLoading({}): {} QueuedPackages, {} AsyncPackages",
        (s.growing(1, 4), s.num(0, 9), s.num(0, 40)),
    ),
    (
        "LogWorld -",
        "Bringing World {} up for play (max tick rate {}) at {}",
        (
            lambda r: f"{ue_map(r)}.{r.choice(_WORDS[:8]).title()}",
            s.pick("30", "60", "120"),
            lambda r: f"{iso_day(r, '.')}-{hms(r).replace(':', '.')}",
        ),
    ),
    ("LogLoad -", "Took {} seconds to LoadMap({})", (s.dec(0, 20, 6), ue_map)),
    (
        "LogTemp Warning",
        "Spawned {} at {}",
        (
            ue_name("BP_Pickup_C"),
            lambda r: (
                f"X={r.uniform(-9e3, 9e3):.3f} Y={r.uniform(-9e3, 9e3):.3f} "
                f"Z={r.uniform(0, 2e3):.3f}"
            ),
        ),
    ),
    *(
        ("LogGameMode Display", f"Match State Changed from {a} to {b}", ())
        for a, b in (
            ("WaitingToStart", "InProgress"),
            ("InProgress", "WaitingPostMatch"),
            ("WaitingPostMatch", "LeavingMap"),
        )
    ),
    ("LogOnline Warning", "OSS: No game present to leave for session (GameSession)", ()),
    (
        "LogScript Warning",
        "Accessed None trying to read property {}",
        (lambda r: f"CallFunc_{r.choice(_WORDS).title()}_ReturnValue",),
    ),
    *(
        (
            "LogHttp Warning",
            Rare(f"{{}}: request failed, libcurl error: {{}} ({why})"),
            (lambda r: f"0x{r.getrandbits(48):016x}", s.num(1, 99)),
        )
        for why in ("Couldn't connect to server", "Timeout was reached")
    ),
    (
        "LogOutputDevice Error",
        Rare("Ensure condition failed: {} [File:{}] [Line: {}]"),
        (
            lambda r: f"{r.choice(_WORDS)} != nullptr",
            lambda r: f"D:\\Build\\Source\\{r.choice(_WORDS).title()}.cpp",
            s.num(10, 2000),
        ),
    ),
]
