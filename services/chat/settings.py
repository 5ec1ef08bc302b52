"""Messaging settings (``BLUEPRINT_CHAT_*``): caps, windows, delivery flow control, presence."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ChatSettings(BaseSettings):
    """Limits of the protocol and of the domain; every one is documented in the README."""

    model_config = SettingsConfigDict(env_prefix="BLUEPRINT_CHAT_", extra="ignore")

    max_members: int = Field(default=256, ge=2, le=10_000, description="Group size cap.")
    max_message_bytes: int = Field(
        default=16_384, ge=256, description="Cap of one message body (text or ciphertext)."
    )
    max_frame_bytes: int = Field(
        default=65_536, ge=1024, description="Cap of one WebSocket frame from a client."
    )
    edit_window_s: float = Field(
        default=15 * 60.0, ge=0, description="How long after sending a message may be edited."
    )
    delete_window_s: float = Field(
        default=24 * 3600.0, ge=0, description="How long after sending it may be deleted."
    )
    page_size: int = Field(default=200, ge=1, le=5000, description="History page, and resync.")
    window: int = Field(
        default=1000, ge=1, description="Messages a device may hold unacknowledged (per socket)."
    )
    live_buffer: int = Field(
        default=2000, ge=16, description="Live frames buffered per socket before it reads."
    )
    send_timeout_s: float = Field(
        default=10.0, gt=0, description="A socket that takes longer to take a frame is closed."
    )
    presence_ttl_s: float = Field(
        default=30.0, gt=0, description="Online until this long after the last heartbeat."
    )
    writer_batch: int = Field(default=512, ge=1, description="Writes committed together.")
    push: bool = Field(default=True, description="Wake offline users through notifications.")
    bus_channel: str = Field(
        default="blueprint-chat",
        min_length=1,
        max_length=200,
        description="Redis pub/sub channel the app processes share delivery notices on.",
    )
    ring_timeout_s: float = Field(
        default=60.0, gt=0, description="An unanswered call is missed after this long."
    )
