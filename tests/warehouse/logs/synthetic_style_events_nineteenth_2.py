"""Event tables of the nineteenth set of invented log styles, part 2 of two:
``transcoder_stderr``, ``media_center``, ``media_server`` and ``bootloader_console``
(``transcoder_stderr`` is left out of the set). The set, with its record, its headers and
``NINETEENTH_STYLES``, is :mod:`tests.warehouse.logs.synthetic_styles_nineteenth`."""

from __future__ import annotations

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import hms
from tests.warehouse.logs.synthetic_style_slots_nineteenth import (
    _MONTHS,
    _WORDS,
    addon,
    audio_device,
    ffptr,
    fftime,
    hex_addr,
    kib_rate,
    lan_ip,
    media_file,
    pad,
    plex_path,
    req_id,
    skin_file,
    smb_path,
    speed,
)
from tests.warehouse.logs.synthetic_styles import Event, Rare

FFMPEG: list[Event] = [
    (
        "-",
        "frame={} fps={} q={} size={}kB time={} bitrate={}kbits/s speed={}",
        (
            pad(s.growing(1, 5), 5),
            pad(s.num(0, 240), 3),
            s.dec(-1, 40, 1),
            pad(s.growing(1, 7), 8),
            fftime,
            pad(s.dec(10, 9000, 1), 6),
            speed,
        ),
    ),
    (
        "-",
        "frame={} fps={} q={} Lsize={}kB time={} bitrate={}kbits/s speed={}",
        (
            pad(s.growing(1, 5), 5),
            pad(s.num(0, 240), 3),
            s.pick("-1.0"),
            pad(s.growing(1, 7), 8),
            fftime,
            pad(s.dec(10, 9000, 1), 6),
            speed,
        ),
    ),
    *(
        (
            "libx264",
            f"frame {t}:{{}}  Avg QP:{{}}  size:{{}}",
            (s.growing(1, 5), s.dec(10, 40, 2), pad(s.growing(2, 6), 6)),
        )
        for t in ("I", "P", "B")
    ),
    ("libx264", "mb I  I16..4: {}% {}% {}%", (s.dec(0, 99, 1), s.dec(0, 99, 1), s.dec(0, 99, 1))),
    ("libx264", "kb/s:{}", (s.dec(100, 9000, 2),)),
    ("libx264", "using SAR={}/{}", (s.num(1, 4), s.num(1, 3))),
    ("aac", "Qavg: {}", (s.dec(100, 60000, 3),)),
    (
        "hls",
        "Opening '{}' for writing",
        (lambda r: f"/tmp/transcode/{s.hexn(8)(r)}/seg_{r.randint(0, 999):03d}.ts",),
    ),
    (
        "h264",
        "error while decoding MB {} {}, bytestream {}",
        (s.num(0, 119), s.num(0, 67), s.num(-40, 4000)),
    ),
    (
        "-",
        "  Stream #{}:{}: Video: h264 (High), yuv420p(tv, bt709), {}x{}, {} kb/s, {} fps",
        (
            s.num(0, 1),
            s.num(0, 3),
            s.pick("1920", "1280", "3840"),
            s.pick("1080", "720", "2160"),
            s.growing(3, 5),
            s.pick("23.98", "25", "29.97", "30", "60"),
        ),
    ),
    ("-", "  Duration: {}, start: {}, bitrate: {} kb/s", (fftime, s.dec(0, 2, 6), s.growing(3, 5))),
    (
        "-",
        "video:{}kB audio:{}kB subtitle:0kB other streams:0kB global headers:0kB muxing "
        "overhead: {}%",
        (s.growing(2, 7), s.growing(2, 6), s.dec(0, 2, 6)),
    ),
    ("mp4", Rare("Starting second pass: moving the moov atom to the beginning of the file"), ()),
    ("-", Rare("Past duration {} too large"), (s.dec(0.5, 1, 6),)),
]

KODI: list[Event] = [
    ("info general", "VideoPlayer::OpenFile: {}", (smb_path,)),
    ("info general", "Loading skin file: {}, load type: LOAD_ON_GUI_INIT", (skin_file,)),
    ("info general", "Loading skin file: {}, load type: KEEP_IN_MEMORY", (skin_file,)),
    ("debug general", "CApplication::OnPlayBackStarted", ()),
    ("debug general", "CAddonMgr::FindAddons: {} v{} installed", (addon, s.version)),
    (
        "info CVideoInfoScanner",
        "VideoInfoScanner: Finished scan. Scanning for video info took {}",
        (lambda r: f"{r.randint(0, 59):02d}:{r.randint(0, 59):02d}",),
    ),
    (
        "error general",
        "CCurlFile::Stat - Failed: HTTP response code said error({}) for {}",
        (s.pick("22", "28"), s.url),
    ),
    ("warning general", "CSkinInfo: failed to load skin settings for {}", (addon,)),
    ("debug CWebServer", "JSONRPC Server: New connection added", ()),
    ("debug CWebServer", "JSONRPC Server: Disconnection detected", ()),
    ("debug general", "Previous line repeats {} times.", (s.growing(1, 3),)),
    ("info CActiveAE", "CActiveAESink::OpenSink - initialize sink", ()),
    (
        "info CActiveAE",
        "  Output Device : {}",
        (audio_device,),
    ),
    ("info CActiveAE", "  Sample Rate   : {}", (s.pick("44100", "48000", "96000"),)),
    (
        "error general",
        Rare(
            "EXCEPTION Thrown (PythonToCppException) : -->Python callback/script returned the "
            "following error<--"
        ),
        (),
    ),
    (
        "warning general",
        Rare("Unable to resolve host {}"),
        (lambda r: f"{r.choice(_WORDS)}.local",),
    ),
]

PLEX: list[Event] = [
    (
        "DEBUG",
        "Request: [{}:{} (Subnet)] GET {} ({} live) #{} GZIP Signed-in Token ({})",
        (
            lan_ip,
            s.num(1024, 65535),
            plex_path,
            s.num(1, 90),
            lambda r: f"{r.getrandbits(16):x}",
            lambda r: r.choice(_WORDS[:6]),
        ),
    ),
    (
        "DEBUG",
        "{} Completed: [{}:{}] {} GET {} ({} live) #{} GZIP {}ms {} bytes (pipelined: {})",
        (
            req_id,
            lan_ip,
            s.num(1024, 65535),
            s.pick("200", "304", "404"),
            plex_path,
            s.num(1, 90),
            lambda r: f"{r.getrandbits(16):x}",
            s.growing(1, 4),
            s.growing(2, 7),
            s.num(1, 30),
        ),
    ),
    (
        "DEBUG",
        "[Transcoder] [h264_vaapi @ {}] Encoding {}x{} at {} kbps",
        (ffptr, s.pick("1920", "1280"), s.pick("1080", "720"), s.growing(3, 5)),
    ),
    ("INFO", "[Transcode] Killing job {}", (s.uuid,)),
    ("DEBUG", "[Scanner] Scanning {} with {} files", (media_file, s.num(1, 40))),
    ("DEBUG", "[MediaAnalyzer] Analyzing media item {} ({} parts)", (s.growing(1, 5), s.num(1, 3))),
    (
        "INFO",
        "Library section {} ({}) scanned in {} seconds",
        (s.num(1, 12), lambda r: f'"{r.choice(_WORDS).title()}"', s.dec(0, 900, 1)),
    ),
    (
        "WARN",
        "Held transcode session {} for {} seconds",
        (lambda r: f'"{s.hexn(24)(r)}"', s.num(1, 600)),
    ),
    (
        "WARN",
        "[Now] Unable to find metadata item {} for session {}",
        (s.growing(1, 5), s.num(1, 400)),
    ),
    (
        "ERROR",
        Rare("Failed to bind to port {}: Address already in use"),
        (s.pick("32400", "1900", "32410"),),
    ),
    ("DEBUG", Rare("Butler: Running {} task"), (s.pool("{W}Task", 20, 12),)),
]

UBOOT: list[Event] = [
    (
        "-",
        "U-Boot {} ({} {} {} - {} +0000)",
        (
            lambda r: f"20{r.randint(19, 24)}.{r.choice(('01', '04', '07', '10'))}",
            lambda r: r.choice(_MONTHS),
            lambda r: f"{r.randint(1, 28):02d}",
            s.pick("2023", "2024"),
            hms,
        ),
    ),
    ("-", "DRAM:  {} GiB", (s.pick("1", "2", "4", "7.5"),)),
    ("-", "MMC:   mmc@{}: 0, mmc@{}: 1", (hex_addr(8), hex_addr(8))),
    ("-", "Loading Environment from MMC... OK", ()),
    ("-", "Net:   eth0: ethernet@{}", (hex_addr(8),)),
    ("-", "Hit any key to stop autoboot:  {}", (s.num(0, 3),)),
    ("-", "switch to partitions #{}, OK", (s.num(0, 3),)),
    ("-", "mmc{} is current device", (s.num(0, 1),)),
    ("-", "{} bytes read in {} ms ({})", (s.growing(3, 8), s.growing(1, 4), kib_rate)),
    ("-", "## Executing script at {}", (hex_addr(8),)),
    ("-", "## Flattened Device Tree blob at {}", (hex_addr(8),)),
    ("-", "   Booting using the fdt blob at 0x{}", (hex_addr(7),)),
    ("-", "   Loading Device Tree to {}, end {} ... OK", (hex_addr(16), hex_addr(16))),
    ("-", "Starting kernel ...", ()),
    ("-", "DHCP client bound to address {} ({} ms)", (lan_ip, s.growing(1, 4))),
    ("-", "Bytes transferred = {} ({} hex)", (s.growing(6, 8), hex_addr(6))),
    ("-", Rare("Wrong Image Format for bootm command"), ()),
    ("-", Rare("** Unable to read file {} **"), (s.pick("boot.scr", "uEnv.txt", "zImage"),)),
]
