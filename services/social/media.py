"""Media on posts: a post attaches up to ``MAX_MEDIA`` of its author's own videos and files.

A video is named by its id and must be the author's; viewers get its watch page. A file is
named by its path in the author's tree. Attaching it makes a read-only share link through the
file service, and the link is what viewers get: the file stays private otherwise, and the
author can revoke the link (``/files/shares``) without touching the post. Someone else's video
or file is refused exactly like one that does not exist, so a post cannot probe for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.errors import Invalid, NotFound

MAX_MEDIA = 4
KINDS = ("video", "file")


@dataclass(frozen=True)
class Media:
    kind: str  # video | file
    ref: str  # the video id, or the file's path in its author's tree
    url: str  # where a viewer gets it
    share_id: str | None = None  # the file's share link, so it can be revoked


class MediaResolver:
    """Checks attachments against the video and file services and makes their viewer URLs."""

    def __init__(self, video: Any = None, files: Any = None) -> None:
        self.video, self.files = video, files

    def attach(self, owner: str, refs: list[tuple[str, str]]) -> list[Media]:
        """The media for ``refs`` (kind, ref), in order; ``Invalid`` (422) names the first that
        is not the owner's. Nothing is left behind when one fails."""
        if len(refs) > MAX_MEDIA:
            raise Invalid(f"a post attaches at most {MAX_MEDIA} media")
        if len(set(refs)) != len(refs):
            raise Invalid("the same media is attached twice")
        done: list[Media] = []
        try:
            for kind, ref in refs:
                done.append(self._one(owner, kind, ref))
        except Invalid:
            self.release(owner, done)
            raise
        return done

    def _one(self, owner: str, kind: str, ref: str) -> Media:
        if kind == "video":
            if self.video is None:
                raise Invalid("video attachments are not available here")
            try:
                video = self.video.get(ref)
            except NotFound:
                video = None
            if video is None or video.user_id != owner:
                raise Invalid(f"no video {ref!r} of yours to attach")
            return Media("video", ref, f"/videos/{ref}/watch")
        if kind == "file":
            if self.files is None:
                raise Invalid("file attachments are not available here")
            attached = self.files.sharing.attach(owner, ref)
            return Media("file", ref, attached.url, attached.share_id)
        raise Invalid(f"media kind must be one of {KINDS}")

    def release(self, owner: str, media: list[Media]) -> None:
        """Revoke the share links ``media`` made (a post that was not stored after all)."""
        shares = [item.share_id for item in media if item.share_id is not None]
        if shares:
            self.files.sharing.detach(owner, shares)
