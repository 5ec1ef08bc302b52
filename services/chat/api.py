"""Messaging routes under ``/chat``: conversations, history, receipts, devices and presence
over HTTP, and the WebSocket ``/chat/ws`` that delivers (protocol: ``PROTOCOL.md``).

Thin: each route parses, calls the one ``ChatService`` the app built, and maps the result.
The hub that runs WebSocket sessions is made at startup, with the app's key store to
authenticate devices.
"""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, FastAPI, Path, Query, Response, WebSocket
from fastapi.responses import HTMLResponse

from services.chat.hub import Hub
from services.chat.model import Conversation, Message
from services.chat.schemas import (
    CLIENT_ID,
    CONV_ID,
    DEVICE_ID,
    MAX_SEQ,
    Accepted,
    ChatMessageIn,
    ChatMessageOut,
    ConversationIn,
    ConversationOut,
    CursorIn,
    DeviceIn,
    DeviceOut,
    EditIn,
    Gap,
    MemberIn,
    Page,
    PresenceOut,
    PurgeOut,
    Receipts,
    RetentionIn,
)
from services.chat.service import ChatService
from services.deps import AdminUser, CurrentUser, api_key_from, system_service
from services.errors import Invalid

router = APIRouter(prefix="/chat", tags=["chat"])
ChatDep = Annotated[ChatService, system_service("chat")]
ConvId = Annotated[str, Path(pattern=CONV_ID)]
Seq = Annotated[int, Path(ge=1, le=MAX_SEQ)]
PAGE = (FilePath(__file__).parent / "page.html").read_text(encoding="utf-8")


async def startup(app: FastAPI) -> None:
    app.state.chat_hub = Hub(app.state.services["chat"], app.state.keystore.resolve)


async def shutdown(app: FastAPI) -> None:
    hub = getattr(app.state, "chat_hub", None)
    if hub is not None:
        hub.close()


def _conv_out(c: Conversation, active: bool = True, members: list[str] | None = None):
    return ConversationOut(**c.view(), active=active, members=members)


def _message_out(m: Message) -> ChatMessageOut:
    f = m.frame()
    f.pop("type")
    return ChatMessageOut(**f)


def _accepted(m: Message, duplicate: bool) -> Accepted:
    return Accepted(
        conv=m.conv_id, seq=m.seq, client_id=m.client_id, duplicate=duplicate, ts=m.created_at
    )


@router.websocket("/ws")
async def chat_socket(websocket: WebSocket) -> None:
    """The delivery socket (see PROTOCOL.md). Not in the OpenAPI schema."""
    key = api_key_from(websocket.headers.get("x-api-key"), websocket.headers.get("authorization"))
    await websocket.app.state.chat_hub.serve(websocket, key)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def chat_page() -> HTMLResponse:
    """The browser client: sign in with an API key, then conversations, history, sending,
    live delivery over the socket, and delivered/read state. One static page, no build step,
    nothing loaded from elsewhere."""
    return HTMLResponse(PAGE, headers={"Cache-Control": "no-cache"})


@router.post(
    "/conversations",
    response_model=ConversationOut,
    status_code=201,
    operation_id="chat_create_conversation",
)
def create_conversation(body: ConversationIn, svc: ChatDep, user: CurrentUser) -> ConversationOut:
    """A group (you and ``members``), or with ``direct`` the one-to-one conversation."""
    conv = svc.create_conversation(
        user.user_id,
        body.members,
        title=body.title,
        encrypted=body.encrypted,
        retention_s=body.retention_s,
        direct=body.direct,
    )
    return _conv_out(conv, members=svc.members(user.user_id, conv.id))


@router.get(
    "/conversations", response_model=list[ConversationOut], operation_id="chat_conversations"
)
def conversations(svc: ChatDep, user: CurrentUser) -> list[ConversationOut]:
    """Every conversation you belong to (or left: ``active`` false)."""
    return [_conv_out(c, active) for c, active in svc.conversations(user.user_id)]


@router.get(
    "/conversations/{conv_id}",
    response_model=ConversationOut,
    operation_id="chat_get_conversation",
)
def get_conversation(conv_id: ConvId, svc: ChatDep, user: CurrentUser) -> ConversationOut:
    conv = svc.conversation(user.user_id, conv_id)
    return _conv_out(conv, members=svc.members(user.user_id, conv_id))


@router.post(
    "/conversations/{conv_id}/members",
    response_model=ChatMessageOut,
    status_code=201,
    operation_id="chat_add_member",
)
def add_member(conv_id: ConvId, body: MemberIn, svc: ChatDep, user: CurrentUser) -> ChatMessageOut:
    """Add a member; the change is a row of the conversation's log."""
    return _message_out(svc.add_member(user.user_id, conv_id, body.user_id))


@router.delete(
    "/conversations/{conv_id}/members/{user_id}",
    response_model=ChatMessageOut,
    operation_id="chat_remove_member",
)
def remove_member(
    conv_id: ConvId,
    user_id: Annotated[str, Path(max_length=64)],
    svc: ChatDep,
    user: CurrentUser,
) -> ChatMessageOut:
    """Leave, or (the creator) remove a member."""
    return _message_out(svc.remove_member(user.user_id, conv_id, user_id))


@router.put(
    "/conversations/{conv_id}/retention",
    response_model=ChatMessageOut,
    operation_id="chat_set_retention",
)
def set_retention(
    conv_id: ConvId, body: RetentionIn, svc: ChatDep, user: CurrentUser
) -> ChatMessageOut:
    """Disappearing messages: rows older than ``retention_s`` are purged (null: kept)."""
    return _message_out(svc.set_retention(user.user_id, conv_id, body.retention_s))


@router.get("/conversations/{conv_id}/messages", response_model=Page, operation_id="chat_history")
def history(
    conv_id: ConvId,
    svc: ChatDep,
    user: CurrentUser,
    after: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Page:
    """A page of history after ``after``; ``gap`` says what was purged and cannot be sent."""
    rows, scanned, gap = svc.history(user.user_id, conv_id, after, limit)
    conv = svc.conversation(user.user_id, conv_id)
    return Page(
        messages=[_message_out(m) for m in rows],
        next_after=scanned,
        last_seq=conv.last_seq,
        gap=None
        if gap is None
        else Gap(conv=conv_id, from_seq=gap["from"], to_seq=gap["to"], reason=gap["reason"]),
    )


@router.post(
    "/conversations/{conv_id}/messages",
    response_model=Accepted,
    status_code=201,
    operation_id="chat_send",
)
def send(conv_id: ConvId, body: ChatMessageIn, svc: ChatDep, user: CurrentUser) -> Accepted:
    """Send over HTTP (a resend with the same ``client_id`` returns the first ``seq``)."""
    posted = svc.post(user.user_id, body.device, conv_id, body.client_id, body.body)
    return _accepted(posted.message, posted.duplicate)


@router.patch(
    "/conversations/{conv_id}/messages/{seq}",
    response_model=Accepted,
    operation_id="chat_edit",
)
def edit(conv_id: ConvId, seq: Seq, body: EditIn, svc: ChatDep, user: CurrentUser) -> Accepted:
    """Edit your message for everyone, within the edit window (410 after)."""
    posted = svc.edit(user.user_id, body.device, conv_id, seq, body.body, body.client_id)
    return _accepted(posted.message, posted.duplicate)


@router.delete(
    "/conversations/{conv_id}/messages/{seq}",
    response_model=Accepted,
    operation_id="chat_delete",
)
def delete(
    conv_id: ConvId,
    seq: Seq,
    svc: ChatDep,
    user: CurrentUser,
    client_id: Annotated[str, Query(pattern=CLIENT_ID)],
) -> Accepted:
    """Delete your message for everyone, within the delete window (410 after)."""
    posted = svc.delete(user.user_id, None, conv_id, seq, client_id)
    return _accepted(posted.message, posted.duplicate)


@router.put(
    "/conversations/{conv_id}/cursor",
    status_code=204,
    response_class=Response,
    operation_id="chat_cursor",
)
def cursor(conv_id: ConvId, body: CursorIn, svc: ChatDep, user: CurrentUser) -> Response:
    """Move one of your devices' delivered (or, with ``read``, read) cursor forward."""
    svc.ack(user.user_id, body.device, conv_id, body.seq, read=body.read)
    return Response(status_code=204)


@router.get(
    "/conversations/{conv_id}/receipts", response_model=Receipts, operation_id="chat_receipts"
)
def receipts(conv_id: ConvId, svc: ChatDep, user: CurrentUser) -> Receipts:
    """Delivered and read, per device and per user (the furthest of the user's devices)."""
    return Receipts(**svc.receipts(user.user_id, conv_id))


@router.put("/devices/{device_id}", response_model=DeviceOut, operation_id="chat_put_device")
def put_device(
    device_id: Annotated[str, Path(pattern=DEVICE_ID)],
    body: DeviceIn,
    svc: ChatDep,
    user: CurrentUser,
) -> DeviceOut:
    """Link a device, with its public key for end-to-end encryption."""
    svc.register_device(user.user_id, device_id, body.public_key)
    found = [d for d in svc.devices(user.user_id) if d["device_id"] == device_id]
    return DeviceOut(**found[0])


@router.get("/devices", response_model=list[DeviceOut], operation_id="chat_devices")
def devices(
    svc: ChatDep,
    user: CurrentUser,
    user_id: Annotated[str | None, Query(max_length=64)] = None,
) -> list[DeviceOut]:
    """A user's devices and public keys (yours by default), to encrypt for them."""
    return [DeviceOut(**d) for d in svc.devices(user_id or user.user_id)]


@router.get("/presence", response_model=list[PresenceOut], operation_id="chat_presence")
def presence(
    svc: ChatDep,
    user: CurrentUser,
    users: Annotated[str, Query(max_length=2000, description="Comma-separated user ids.")],
) -> list[PresenceOut]:
    """Online (a heartbeat within the TTL) and last seen."""
    ids = [u.strip() for u in users.split(",") if u.strip()]
    if not ids or len(ids) > 100:
        raise Invalid("users must name 1 to 100 comma-separated user ids")
    return [PresenceOut(**p) for p in svc.presence_of(ids)]


@router.post("/purge", response_model=PurgeOut, operation_id="chat_purge")
def purge(svc: ChatDep, user: AdminUser) -> PurgeOut:
    """Run the retention purge now (what the schedule does)."""
    return PurgeOut(purged=svc.purge_expired())
