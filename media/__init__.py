"""ffmpeg work for video streaming (system 3): safe probing and admission, one-pass
adaptive-bitrate ladders packaged as CMAF for HLS and DASH, thumbnails, VMAF and per-title
ladders. Plain Python over the ffmpeg binary that ``imageio-ffmpeg`` ships (no ffprobe)."""
