"""How the social routers (and the news feed's) get the social service and the caller's handle.

A caller acts in the social network as the handle that is exactly its canonical user id. A key
for any other id (stored by an older version, before ids were canonical) is refused with 403:
it is never folded onto the user whose handle differs from it only in letter case. So is the
bootstrap admin key, with a 403 that says how to create a user: it is no user itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.deps import CurrentUser, system_service
from services.errors import Forbidden
from services.social.handles import handle_problem
from services.social.service import SocialService

SocialDep = Annotated[SocialService, system_service("social")]


#: What the bootstrap admin key gets on routes that act as a user.
ADMIN_IS_NO_USER = (
    "the admin key administers the platform and is no user of it: create a user and use "
    "their key (`blueprint accounts create NAME`, or POST /auth/keys with the admin key)"
)


def _my_handle(principal: CurrentUser) -> str:
    if principal.bootstrap:
        raise Forbidden(ADMIN_IS_NO_USER)
    if handle_problem(principal.user_id) is not None:
        raise Forbidden(
            f"this API key is for user id {principal.user_id[:80]!r}, which is not canonical, so "
            "it cannot act as any social handle; ask an admin for a key for a canonical user id"
        )
    return principal.user_id


MyHandle = Annotated[str, Depends(_my_handle)]
"""The caller's handle: its user id, which must be canonical (401 without a key, 403 for a
non-canonical id or the bootstrap admin key)."""
