"""Where uploaded and generated files live: a private directory (MEDIA_ROOT) that no URL
maps to. Every stored name carries a random part, so that even a leaked directory
listing pattern (notices/2026/05/notice-17.pdf) cannot be used to guess another file."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.core.files.storage import FileSystemStorage


class PrivateFileStorage(FileSystemStorage):
    """FileSystemStorage whose names are `<stem>-<22 random url-safe chars><ext>` and which
    has no public URL (files are served only by views that check access)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("base_url", None)
        super().__init__(**kwargs)

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        name = super().generate_filename(filename)
        dirname, basename = os.path.split(name)
        stem, ext = os.path.splitext(basename)
        return os.path.join(dirname, f"{stem[:40]}-{secrets.token_urlsafe(16)}{ext[:8]}")

    def url(self, name: str | None) -> str:
        raise ValueError("private files have no URL: serve them through a view that checks access")
