"""Request and response bodies of the notifications API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

NAME = r"^[A-Za-z0-9_.@-]{1,64}$"
LOCALE = r"^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})?$"


class ProfileIn(BaseModel):
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9]{6,15}$")
    push_token: str | None = Field(default=None, min_length=8, max_length=256)
    timezone: str | None = Field(default=None, max_length=64)
    locale: str | None = Field(default=None, pattern=LOCALE)


class ProfileOut(BaseModel):
    user_id: str
    email: str | None
    phone: str | None
    push_token: str | None
    timezone: str
    locale: str
    quiet_start: str | None
    quiet_end: str | None


class QuietHours(BaseModel):
    start: str = Field(description="HH:MM local time")
    end: str = Field(description="HH:MM local time (exclusive)")


class PreferencesIn(BaseModel):
    channels: dict[str, bool] = Field(default_factory=dict, description="channel -> on/off")
    categories: dict[str, dict[str, bool]] = Field(default_factory=dict)
    timezone: str | None = None
    quiet_hours: QuietHours | None = None
    clear_quiet_hours: bool = False


class PreferencesOut(BaseModel):
    user_id: str
    timezone: str
    quiet_hours: QuietHours | None
    preferences: dict[str, dict[str, bool]]


class TemplateIn(BaseModel):
    subject: str = Field(min_length=1, max_length=500)
    body: str = Field(min_length=1, max_length=20_000)


class SendBody(BaseModel):
    user_id: str = Field(pattern=NAME)
    template: str = Field(pattern=NAME)
    category: str = Field(default="general", pattern=r"^[a-z0-9_.-]{1,64}$")
    locale: str | None = Field(default=None, pattern=LOCALE)
    data: dict[str, Any] = Field(default_factory=dict)
    channels: list[str] | Literal["preference"] = "preference"
    send_at: datetime | None = None
    priority: Literal["low", "normal", "urgent"] = "normal"


class DeliveryOut(BaseModel):
    id: str
    channel: str
    status: str
    attempts: int
    next_attempt_at: float
    last_error: str | None
    digest_id: str | None
    sent_at: float | None


class NotificationOut(BaseModel):
    id: str
    user_id: str
    category: str
    template: str
    locale: str
    priority: str
    send_at: float
    created_at: float
    deliveries: list[DeliveryOut]


class InboxItem(BaseModel):
    id: int
    category: str
    subject: str
    body: str
    created_at: float
    read_at: float | None


class CallbackIn(BaseModel):
    message_id: str = Field(min_length=1, max_length=128)
    status: str


class CallbackOut(BaseModel):
    delivery_id: str
    status: str
    changed: bool


class ReplayIn(BaseModel):
    ids: list[str] | None = Field(default=None, description="None replays the whole DLQ")


class ReplayOut(BaseModel):
    replayed: list[str]


class DeadOut(BaseModel):
    id: str
    user_id: str
    channel: str
    attempts: int
    last_error: str | None
    updated_at: float
