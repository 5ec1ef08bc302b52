"""Folder-role routes: an owner grants a user ``viewer`` or ``editor`` on a folder
(``PUT /files/grants``), lists the grants given and received, and revokes one. A grantee
reaches the folder through the ordinary file routes and WebDAV at ``shared/<owner>/<folder>``
(see :mod:`services.files.grants`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from services.deps import CurrentUser, system_service
from services.files import schemas as s
from services.files.service import FilesService

FilesDep = Annotated[FilesService, system_service("files")]


def add_grant_routes(router: APIRouter) -> None:
    @router.put("/grants", response_model=s.GrantOut, operation_id="files_grant")
    def put_grant(body: s.GrantIn, user: CurrentUser, svc: FilesDep) -> s.GrantOut:
        """Give a user a role on one of the caller's folders (or change it); the user is
        notified and sees the folder at ``mount``."""
        grant = svc.granting.grant(user.user_id, body.path, body.user, body.role)
        return s.GrantOut(**grant.public())

    @router.get("/grants", response_model=s.GrantsOut, operation_id="files_grants")
    def list_grants(user: CurrentUser, svc: FilesDep) -> s.GrantsOut:
        """The roles the caller gave on their folders, and those given to the caller."""
        return s.GrantsOut(
            given=[s.GrantOut(**g.public()) for g in svc.granting.given(user.user_id)],
            received=[s.GrantOut(**g.public()) for g in svc.granting.received(user.user_id)],
        )

    @router.delete("/grants/{grant_id}", status_code=204, operation_id="files_grant_revoke")
    def revoke_grant(
        grant_id: Annotated[str, Path(pattern="^[0-9a-f]{32}$")],
        user: CurrentUser,
        svc: FilesDep,
    ) -> Response:
        """Revoke a role the caller gave: the folder is 404 to that user from now on."""
        svc.granting.revoke(user.user_id, grant_id)
        return Response(status_code=204)
