"""Fixtures for roster intake: partner accounts and a push helper."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from enrollment.models import KIND_DEPARTMENT
from tests.conftest import token_client
from tests.factories import make_user


@pytest.fixture
def partner(db):
    """partner("hrss") → a partner account of that department."""
    return lambda department: make_user("partner", department=department)


def upload(content: bytes, name: str = "roster.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def push(db):
    """push(kind, content, name=…, **form) → the API response, pushed by a partner of the
    kind's department (made once per department)."""
    clients = {}

    def _push(kind: str, content: bytes, name: str = "roster.csv", **form):
        department = KIND_DEPARTMENT.get(kind, "market")
        if department not in clients:
            clients[department] = token_client(make_user("partner", department=department))
        return clients[department].post(
            "/api/v1/rosters/", {"kind": kind, "file": upload(content, name), **form}, format="multipart"
        )

    return _push
