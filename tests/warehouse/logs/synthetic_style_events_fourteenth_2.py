"""Event tables of the fourteenth set of invented log styles, part 2 of two: ``home_hub``,
``storage_ems``, ``backup_jobs`` and ``ground_station``. The set, with its record, its headers
and ``FOURTEENTH_STYLES``, is :mod:`tests.warehouse.logs.synthetic_styles_fourteenth`."""

from __future__ import annotations

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import hms
from tests.warehouse.logs.synthetic_style_slots_fourteenth import (
    _ws,
    aggregate,
    antenna,
    client,
    clock,
    command,
    device,
    disk,
    entity,
    hex0x,
    integration,
    job_name,
    player_source,
    ratio,
    satellite,
    scene,
    sci,
    span,
    tape_volume,
    thousands,
    volume,
    vserver,
)
from tests.warehouse.logs.synthetic_styles import Event, Rare

HUB: list[Event] = [
    ("INFO homeassistant.setup", "Setting up {}", (integration,)),
    (
        "INFO homeassistant.setup",
        "Setup of domain {} took {} seconds",
        (integration, s.dec(0, 30, 2)),
    ),
    (
        "WARNING homeassistant.helpers.entity",
        "Updating {} {} took longer than the scheduled update interval 0:00:30",
        (integration, entity),
    ),
    (
        "ERROR homeassistant.helpers.update_coordinator",
        "Error fetching {} data: Timeout fetching {} data",
        (integration, integration),
    ),
    (
        "WARNING homeassistant.components.sensor",
        Rare(
            "Entity {} ({}) is using state class measurement which is impossible considering "
            "device class energy it is using; expected state class total or total_increasing; "
            "please report it to the custom integration author"
        ),
        (entity, integration),
    ),
    (
        "INFO homeassistant.components.automation",
        "Triggered by the state of {} at {}",
        (entity, s.dec(-20, 40, 1)),
    ),
    (
        "INFO homeassistant.components.media_player",
        "Media player {} switched source to {}",
        (s.pool("media_player.{w}", 5, 8), player_source),
    ),
    ("INFO homeassistant.components.scene", "Scene {} activated", (scene,)),
    (
        "DEBUG zigpy.zcl",
        "[{}:{}:{}]: failed to read attributes: {}",
        (hex0x(4), s.num(1, 3), hex0x(4), s.bracket_list(hex0x(4))),
    ),
    (
        "DEBUG zigpy.application",
        "Device {} ({}) RSSI {} dBm, LQI {}",
        (hex0x(4), s.host, s.num(-99, -20), s.num(0, 255)),
    ),
    ("WARNING homeassistant.components.zha", "Device {} is unavailable", (s.host,)),
    ("INFO homeassistant.components.zha", "Device {} is available", (s.host,)),
    (
        "INFO homeassistant.components.climate",
        "Thermostat {} set to {} C (range {} C)",
        (s.host, s.dec(5, 30, 1), span(15, 25)),
    ),
    (
        "WARNING homeassistant.components.http.ban",
        Rare("Login attempt or request with invalid authentication from {} ({})."),
        (s.ip, s.host),
    ),
    ("INFO homeassistant.core", Rare("Stopping"), ()),
    (
        "INFO homeassistant.components.recorder",
        "Purged {} states and {} events older than {} days",
        (thousands(0, 10**6), thousands(0, 10**6), s.num(1, 30)),
    ),
    (
        "DEBUG homeassistant.components.energy",
        "Power {} W, energy {} kWh, error {}",
        (s.dec(-500, 5000, 1), s.dec(0, 99999, 3), sci),
    ),
    # the broker's error text is a closed set: one event each
    *(
        ("ERROR homeassistant.components.mqtt", f"Unable to connect to the MQTT broker: {e}", ())
        for e in ("Connection refused", "Timed out", "Network unreachable")
    ),
]

STORAGE: list[Event] = [
    (
        "wafl.vol.autoSize.done:notice",
        "Volume autosize: Automatic grow of volume '{}@vserver:{}' by {} is complete.",
        (volume, vserver, s.glued_size),
    ),
    (
        "wafl.vol.full:alert",
        "Insufficient space on volume {}@vserver:{} to perform operation. {} was requested but "
        "only {} was available.",
        (volume, vserver, s.size, s.size),
    ),
    (
        "wafl.vol.nearlyFull:alert",
        "Volume {}@vserver:{} is nearly full (using or reserving {} of space and {} of inodes).",
        (volume, vserver, s.percent, s.percent),
    ),
    (
        "raid.rg.recons.start:notice",
        "/{}/plex0/rg{}: starting reconstruction, using disk {}",
        (aggregate, s.num(0, 9), disk),
    ),
    (
        "raid.rg.recons.done:notice",
        Rare("/{}/plex0/rg{}: reconstruction completed in {}"),
        (aggregate, s.num(0, 9), clock),
    ),
    # the drive's error text is a closed set: one event each
    *(
        (
            "disk.ioMediumError:error",
            f"Medium error on disk {{}}: op 0x{{}}:{{}} sector {{}} SCSI:medium error - {e} "
            "(0x{} - 0x{} 0x{})",
            (disk, s.hexn(2), s.hexn(8), thousands(0, 10**10), s.hexn(1), s.hexn(2), s.hexn(2)),
        )
        for e in ("Unrecovered read error", "Write error")
    ),
    (
        "fct.port.link:notice",
        "Fibre Channel target adapter {} reported link up.",
        (s.glued("0", 1, 9, ""),),
    ),
    (
        "fct.port.link:notice",
        "Fibre Channel target adapter {} reported link down.",
        (s.glued("0", 1, 9, ""),),
    ),
    ("callhome.battery.low:alert", Rare("Call home for BATTERY_LOW"), ()),
    (
        "sis.op.done:info",
        "Deduplication on volume {}@vserver:{} completed: saved {} bytes ({})",
        (volume, vserver, thousands(), s.percent),
    ),
    (
        "lun.offline:notice",
        "LUN /vol/{}/{} has been taken offline",
        (volume, s.pool("lun_{w}", 3, 12)),
    ),
    (
        "aggr.latency:warning",
        "Aggregate {} latency {} ms exceeded threshold range {} ms",
        (aggregate, s.dec(0, 900, 1), span(5, 50)),
    ),
    ("monitor.cpu:info", "System CPU utilization is {} ({} cores busy)", (s.percent, ratio(32))),
    (
        "nv.battery.status:info",
        "NVRAM battery charge is {}, voltage {} V, temperature {} C",
        (s.percent, s.dec(3, 9, 2), s.dec(-5, 60, 1)),
    ),
    (
        "snapmirror.dst.resyncFailed:error",
        Rare(
            "SnapMirror resync of destination volume {}@vserver:{} from source {}@vserver:{} "
            "failed because the common Snapshot copy could not be found on the source; a new "
            "baseline transfer of {} bytes is required"
        ),
        (volume, vserver, volume, vserver, thousands()),
    ),
    (
        "kern.uptime.filer:info",
        "{} up {} days, {}:{} {} NFS ops, {} CIFS ops",
        (s.num(1, 12), s.num(0, 999), s.num(0, 23), s.num(10, 59), thousands(), thousands()),
    ),
    ("mgmtgwd.rootvol.recovery:alert", Rare("Ready."), ()),
    (
        "snapshot.auto.delete:info",
        "Snapshot {} on volume {}@vserver:{} was deleted to reclaim space ({} freed)",
        (s.glued("hourly.", 0, 23), volume, vserver, s.size),
    ),
]

BACKUP: list[Event] = [
    ("dir", "Start Backup JobId {}, Job={}", (s.num(1, 99999), job_name)),
    ("sd", 'Using Device "{}" to write.', (device,)),
    ("dir", Rare("Sending Accurate information to the FD."), ()),
    ("sd", 'Volume "{}" previously written, moving to end of data.', (tape_volume,)),
    ("sd", 'Ready to append to end of Volume "{}" size={}', (tape_volume, thousands())),
    ("sd", "Elapsed time={}, Transfer rate={} Bytes/second", (clock, thousands(1000, 10**8))),
    (
        "sd",
        'Committing spooled data to Volume "{}". Despooling {} bytes ...',
        (tape_volume, thousands()),
    ),
    ("dir", "Termination: Backup OK", ()),
    ("dir", "Termination: Backup Error", ()),
    ("dir", Rare("Termination: Backup Canceled"), ()),
    (
        "dir",
        Rare("Fatal error: Network error with FD during Backup: ERR=Connection reset by peer"),
        (),
    ),
    ("fd", 'Could not stat "{}": ERR=No such file or directory', (s.unix_path,)),
    (
        "dir",
        Rare('Max Volume jobs={} exceeded. Marking Volume "{}" as Used.'),
        (s.num(1, 20), tape_volume),
    ),
    ("dir", "Pruned {} Jobs for client {} from catalog.", (s.num(0, 99), client)),
    ("sd", Rare('Label "{}" not found on device "{}"'), (tape_volume, device)),
    ("dir", Rare("Prior failed job found in catalog. Upgrading to Full."), ()),
    (
        "dir",
        "Files={} Bytes={} AveBytes/sec={} LastBytes/sec={}",
        (thousands(0, 10**6), thousands(), thousands(), thousands()),
    ),
    ("sd", "Spooling data ...", ()),
    ("fd", "Compression {} of {} bytes, ratio {}", (thousands(), thousands(), s.dec(1, 9, 2))),
    (
        "dir",
        Rare(
            "Job {} is waiting for a mount request on device {}; please mount volume {} or "
            "label a new one in pool {} and enter the mount command in the console"
        ),
        (job_name, device, tape_volume, s.pool("{W}Pool", 7, 5)),
    ),
]

STATION: list[Event] = [
    (
        "SCHED",
        "Pass {} of {} AOS at elevation {} deg, azimuth {} deg",
        (s.num(1, 99999), satellite, s.dec(0, 15, 1), s.dec(0, 360, 1)),
    ),
    (
        "SCHED",
        "Pass {} of {} LOS, {} frames received, {} frames with errors",
        (s.num(1, 99999), satellite, thousands(0, 10**6), thousands(0, 9999)),
    ),
    ("ACU", "Antenna {} slewing to az {} el {}", (antenna, s.dec(0, 360, 2), s.dec(0, 90, 2))),
    ("ACU", "Antenna {} tracking error {} deg exceeds limit", (antenna, s.dec(-2, 2, 3))),
    (
        "RX",
        "Receiver {} locked on {} MHz, Eb/N0 {} dB",
        (s.glued("RX", 1, 6), s.dec(2200, 8500, 3), s.dec(-3, 15, 1)),
    ),
    ("RX", "Receiver {} acquired lock", (s.glued("RX", 1, 6),)),
    ("RX", "Receiver {} lost lock", (s.glued("RX", 1, 6),)),
    ("RX", "Doppler correction {} Hz applied", (s.num(-90000, 90000),)),
    ("FEP", "BER {} over last {} frames", (sci, thousands(1000, 10**6))),
    ("FEP", "Frame sync: {} frames valid", (ratio(4096),)),
    ("FEP", "Telemetry packet APID {} sequence gap {}", (hex0x(3), span(0, 16000))),
    ("FEP", Rare("CRC error in frame {}"), (s.num(),)),
    ("CMD", "Uplink command {} sent to {} (ack pending)", (command, satellite)),
    ("CMD", "Uplink command {} to {} acknowledged", (command, satellite)),
    ("CMD", "Uplink command {} to {} rejected", (command, satellite)),
    ("SCHED", "Schedule: {} passes planned for next {} hours", (s.num(0, 40), s.num(1, 48))),
    ("ACU", Rare("Idle"), ()),
    ("WX", Rare("Wind {} m/s exceeds stow limit, stowing antenna {}"), (_ws, antenna)),
    (
        "SCHED",
        Rare(
            "Pass {} of {} was dropped from the schedule because antenna {} is in maintenance "
            "and no other antenna in view of the spacecraft has a free slot before LOS at {}"
        ),
        (s.num(1, 99999), satellite, antenna, hms),
    ),
    (
        "TLM",
        "{}: battery {} V, bus current {} A, temperature {} C",
        (satellite, s.dec(24, 34, 2), s.dec(-5, 12, 2), s.dec(-40, 60, 1)),
    ),
]
