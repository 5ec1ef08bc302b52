"""Video streaming settings (``BLUEPRINT_VIDEO_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from media.probe import Limits


class VideoSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLUEPRINT_VIDEO_", extra="ignore")

    max_upload_bytes: int = Field(
        default=512 * 1024 * 1024,
        gt=0,
        description="Largest upload accepted (advertised as Tus-Max-Size); a larger "
        "Upload-Length, or bytes past it, answer 413.",
    )
    max_metadata_chars: int = Field(
        default=8192, gt=0, description="Longest Upload-Metadata header accepted (400 beyond)."
    )
    upload_chunk_bytes: int = Field(
        default=256 * 1024,
        gt=0,
        description="PATCH size of the platform's own tus client (the workload simulator). "
        "The server accepts any chunk size, up to the whole file in one PATCH.",
    )
    max_duration_s: float = Field(default=600.0, gt=0, description="Longest video admitted.")
    max_width: int = Field(default=3840, gt=0, description="Widest video admitted (pixels).")
    max_height: int = Field(default=2160, gt=0, description="Tallest video admitted (pixels).")
    max_fps: float = Field(default=120.0, gt=0, description="Highest frame rate admitted.")
    decode_timeout_s: float = Field(
        default=120.0, gt=0, description="Time the admission's full test decode may take."
    )

    default_region: str = Field(
        default="eu-west",
        description="The CDN region a playback descriptor routes to when the client names "
        "none (one of the regions ``GET /cdn/regions`` lists).",
    )
    player_libs_dir: Path | None = Field(
        default=None,
        description="The node_modules folder holding hls.js and dash.js for the watch page "
        "(``make players`` installs them from npm); default ``<data_dir>/player-libs/"
        "node_modules``.",
    )

    live_host: str = Field(
        default="127.0.0.1",
        description="Address the RTMP listeners of live streams bind to (one port per stream).",
    )
    live_wait_s: float = Field(
        default=120.0,
        gt=0,
        description="How long a new live stream waits for its broadcaster before it fails.",
    )

    live_max_open: int = Field(
        default=2, gt=0, description="Live streams one user may have open at once (409 beyond)."
    )

    drm_token_ttl_s: float = Field(
        default=600.0, gt=0, description="Lifetime of a playback token of a protected video."
    )

    def limits(self) -> Limits:
        """The admission limits of :func:`media.probe.probe`."""
        return Limits(
            max_duration_s=self.max_duration_s,
            max_width=self.max_width,
            max_height=self.max_height,
            max_fps=self.max_fps,
            decode_timeout_s=self.decode_timeout_s,
        )
