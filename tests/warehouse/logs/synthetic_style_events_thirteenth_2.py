"""Event tables of the thirteenth set of invented log styles, part 2 of three:
``desktop_journal``. The set, with its record, its headers and ``THIRTEENTH_STYLES``, is
:mod:`tests.warehouse.logs.synthetic_styles_thirteenth`."""

from __future__ import annotations

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_slots_thirteenth import dev, hex0x, iface, mac, pci
from tests.warehouse.logs.synthetic_styles import Event, Rare

DESKTOP: list[Event] = [
    (
        "NetworkManager",
        "<info>  [{}] device ({}): state change: prepare -> config (reason 'none', "
        "sys-iface-state: 'managed')",
        (s.dec(1e9, 2e9, 4), iface),
    ),
    (
        "NetworkManager",
        "<info>  [{}] device ({}): state change: config -> ip-config (reason 'none', "
        "sys-iface-state: 'managed')",
        (s.dec(1e9, 2e9, 4), iface),
    ),
    (
        "NetworkManager",
        "<info>  [{}] device ({}): state change: ip-config -> ip-check (reason 'none', "
        "sys-iface-state: 'managed')",
        (s.dec(1e9, 2e9, 4), iface),
    ),
    (
        "NetworkManager",
        "<info>  [{}] device ({}): state change: activated -> deactivating (reason 'none', "
        "sys-iface-state: 'managed')",
        (s.dec(1e9, 2e9, 4), iface),
    ),
    (
        "NetworkManager",
        "<info>  [{}] dhcp4 ({}): option ip_address => '{}'",
        (s.dec(1e9, 2e9, 4), iface, s.ip),
    ),
    (
        "NetworkManager",
        Rare("<info>  [{}] manager: NetworkManager state is now CONNECTED_SITE"),
        (s.dec(1e9, 2e9, 4),),
    ),
    (
        "NetworkManager",
        Rare("<info>  [{}] manager: NetworkManager state is now CONNECTED_GLOBAL"),
        (s.dec(1e9, 2e9, 4),),
    ),
    (
        "NetworkManager",
        Rare("<warn>  [{}] device ({}): Activation: failed for connection '{}'"),
        (s.dec(1e9, 2e9, 4), iface, s.user),
    ),
    ("gnome-shell", "JS ERROR: TypeError: this._{} is null", (s.user,)),
    (
        "gnome-shell",
        Rare(
            "Window manager warning: Buggy client sent a _NET_ACTIVE_WINDOW message "
            "with a timestamp of 0 for {}"
        ),
        (hex0x(7),),
    ),
    (
        "gnome-shell",
        Rare(
            "Unset XDG_SESSION_ID, getCurrentSessionProxy() called outside a user "
            "session. Asking logind directly."
        ),
        (),
    ),
    (
        "gnome-shell",
        Rare(
            "libinput error: event{} - {}: client bug: event processing lagging "
            "behind by {}ms, your system is too slow"
        ),
        (s.num(0, 30), s.quoted_name, s.num(20, 900)),
    ),
    ("systemd", "Started {}.service - {}.", (s.program, s.quoted_name)),
    ("systemd", "{}.service: Deactivated successfully.", (s.program,)),
    ("systemd", Rare("{}.service: Consumed {}s CPU time."), (s.program, s.dec(0, 99, 3))),
    (
        "systemd",
        Rare("{}.service: Main process exited, code=exited, status={}/FAILURE"),
        (s.program, s.num(1, 255)),
    ),
    ("systemd", Rare("{}.service: Failed with result 'exit-code'."), (s.program,)),
    ("systemd", Rare("Reached target Sleep."), ()),
    ("systemd", Rare("Starting Load/Save Screen Backlight Brightness of {}..."), (s.unix_path,)),
    ("kernel", "iwlwifi {}: Unhandled alg: {}", (pci, hex0x(4))),
    ("kernel", "{}: authenticate with {}", (iface, mac)),
    ("kernel", "{}: associated", (iface,)),
    (
        "kernel",
        Rare("{}: deauthenticating from {} by local choice (Reason: 3=DEAUTH_LEAVING)"),
        (iface, mac),
    ),
    (
        "kernel",
        Rare("i915 {}: [drm] GuC firmware i915/{}_guc_{}.bin version {}"),
        (pci, s.program, s.num(60, 70), s.version),
    ),
    (
        "kernel",
        Rare(
            "i915 {}: [drm] *ERROR* Atomic update failure on pipe A (start={} end={}) "
            "time {} us, min {}, max {}, scanline start {}, end {}"
        ),
        (
            pci,
            s.num(),
            s.num(),
            s.num(1, 999),
            s.num(1000, 2000),
            s.num(1000, 2000),
            s.num(1000, 2000),
            s.num(1000, 2000),
        ),
    ),
    (
        "kernel",
        Rare("usb {}-{}: new high-speed USB device number {} using xhci_hcd"),
        (s.num(1, 4), s.num(1, 9), s.num(1, 99)),
    ),
    (
        "kernel",
        Rare("usb {}-{}: USB disconnect, device number {}"),
        (s.num(1, 4), s.num(1, 9), s.num(1, 99)),
    ),
    (
        "kernel",
        Rare("EXT4-fs ({}): mounted filesystem {} r/w with ordered data mode. Quota mode: none."),
        (dev, s.uuid),
    ),
    (
        "kernel",
        Rare("thinkpad_acpi: unknown possible thermal alarm or keyboard event received"),
        (),
    ),
    (
        "kernel",
        Rare("snd_hda_intel {}: azx_get_response timeout, switching to polling mode: last cmd={}"),
        (pci, hex0x(8)),
    ),
    (
        "kernel",
        Rare("nvme nvme0: {}/{}/{} default/read/poll queues"),
        (s.num(1, 16), s.num(0, 8), s.num(0, 4)),
    ),
    (
        "kernel",
        Rare("ACPI BIOS Error (bug): Could not resolve symbol [{}], AE_NOT_FOUND"),
        (s.pick("\\_SB.PC00.XHCI.RHUB.HS14", "\\_TZ.ETMD", "\\_SB.UBTC.RUCC"),),
    ),
    ("kernel", Rare("PM: suspend entry (deep)"), ()),
    ("kernel", Rare("PM: suspend exit"), ()),
    (
        "kernel",
        Rare(
            'audit: type=1400 audit({}:{}): apparmor="DENIED" operation="open" '
            'profile="{}" name="{}" pid={} comm="{}" requested_mask="r" denied_mask="r" '
            "fsuid={} ouid=0"
        ),
        (
            s.dec(1e9, 2e9, 3),
            s.num(100, 999),
            s.program,
            s.unix_path,
            s.num(300, 90000),
            s.program,
            s.num(0, 2000),
        ),
    ),
    (
        "pipewire",
        "spa.alsa: {}: snd_pcm_avail after recover: Broken pipe",
        (s.pick("hw:0", "hw:1", "hw:sofhdadsp"),),
    ),
    ("pipewire", Rare("mod.rt: Can't find xdg-portal: (null)"), ()),
    ("wireplumber", Rare("RTKit error: org.freedesktop.DBus.Error.AccessDenied"), ()),
    (
        "bluetoothd",
        "Endpoint registered: sender={} path={}",
        (s.glued(":1.", 10, 999), s.unix_path),
    ),
    ("bluetoothd", Rare("{}: Connection refused (111)"), (s.unix_path,)),
    ("bluetoothd", Rare("Failed to set mode: Blocked through rfkill (0x12)"), ()),
    (
        "udisksd",
        Rare("Mounted /dev/{} at {} on behalf of uid {}"),
        (dev, s.unix_path, s.num(1000, 1010)),
    ),
    (
        "udisksd",
        Rare("Cleaning up mount point {} (device {}:{} no longer exists)"),
        (s.unix_path, s.num(8, 259), s.num(0, 9)),
    ),
    (
        "polkitd",
        Rare(
            "Registered Authentication Agent for unix-session:{} (system bus name {}, "
            "object path /org/freedesktop/PolicyKit1/AuthenticationAgent, locale en_US.UTF-8)"
        ),
        (s.num(1, 9), s.glued(":1.", 10, 999)),
    ),
    (
        "dbus-daemon",
        "[session uid={} pid={}] Activating service name='{}' requested by '{}' "
        '(uid={} pid={} comm="{}" label="unconfined")',
        (
            s.num(1000, 1010),
            s.num(300, 9000),
            s.package,
            s.glued(":1.", 10, 999),
            s.num(1000, 1010),
            s.num(300, 9000),
            s.program,
        ),
    ),
    (
        "dbus-daemon",
        "[session uid={} pid={}] Successfully activated service '{}'",
        (s.num(1000, 1010), s.num(300, 9000), s.package),
    ),
    (
        "fwupd",
        Rare("failed to coldplug {}: failed to open device: Permission denied"),
        (s.program,),
    ),
    ("packagekitd", Rare("daemon quit"), ()),
    (
        "packagekitd",
        Rare("uid {} is trying to obtain {} auth (only_trusted:{})"),
        (s.num(1000, 1010), s.package, s.num(0, 1)),
    ),
    (
        "cupsd",
        Rare(
            'REQUEST localhost - - "POST / HTTP/1.1" 200 {} Create-Printer-Subscriptions'
            " successful-ok"
        ),
        (s.num(100, 999),),
    ),
    (
        "avahi-daemon",
        Rare("Joining mDNS multicast group on interface {}.IPv6 with address {}."),
        (iface, s.hexn(4)),
    ),
    (
        "avahi-daemon",
        Rare("Leaving mDNS multicast group on interface {}.IPv6 with address {}."),
        (iface, s.hexn(4)),
    ),
    ("avahi-daemon", Rare("Registering new address record for {} on {}.IPv4."), (s.ip, iface)),
    (
        "wpa_supplicant",
        "{}: CTRL-EVENT-SIGNAL-CHANGE above=1 signal={} noise=9999 txrate={}",
        (iface, s.num(-90, -30), s.num(6000, 866000)),
    ),
    (
        "wpa_supplicant",
        Rare("{}: CTRL-EVENT-DISCONNECTED bssid={} reason={} locally_generated=1"),
        (iface, mac, s.num(1, 9)),
    ),
    (
        "wpa_supplicant",
        Rare("{}: CTRL-EVENT-REGDOM-CHANGE init=COUNTRY_IE type=COUNTRY alpha2={}"),
        (iface, s.pick("DE", "US", "FR", "NL")),
    ),
    ("gdm-password]", Rare("gkr-pam: unlocked login keyring"), ()),
    (
        "gdm-password]",
        Rare("pam_unix(gdm-password:session): session opened for user {}(uid={}) by (uid=0)"),
        (s.user, s.num(1000, 1010)),
    ),
    (
        "tracker-miner-fs-3",
        Rare(
            "Could not process '{}': Error when getting information for file "
            "'{}': No such file or directory"
        ),
        (s.url, s.unix_path),
    ),
    (
        "snapd",
        Rare('storehelpers.go:{}: cannot refresh: snap has no updates available: "{}"'),
        (s.num(100, 999), s.program),
    ),
    ("colord", Rare("failed to get session [pid {}]: No data available"), (s.num(300, 9000),)),
    (
        "rtkit-daemon",
        "Supervising {} threads of {} processes of {} users.",
        (s.num(0, 20), s.num(0, 9), s.num(1, 3)),
    ),
    (
        "rtkit-daemon",
        Rare("Successfully made thread {} of process {} owned by '{}' RT at priority {}."),
        (s.num(300, 90000), s.num(300, 90000), s.num(1000, 1010), s.num(1, 20)),
    ),
    (
        "thermald",
        Rare("Thermal zone {} temp {} exceeds trip {}, throttling"),
        (s.num(0, 9), s.num(70000, 99000), s.num(0, 3)),
    ),
    ("org.gnome.Shell.desktop", Rare("(EE) failed to read Wayland events: Broken pipe"), ()),
]
