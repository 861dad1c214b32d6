"""The suite's instant: every test starts at the same moment, so none changes at midnight
(the autouse `_frozen_clock` fixture in tests/conftest.py travels there).

Noon in Wuhai, mid-month and mid-year: as far as it gets from a day's, a month's and a
quarter's edge. WUHAI_TEST_TIME (ISO 8601 with an offset) moves the whole suite, e.g. to
2026-12-31T23:59:30+08:00 to look for tests that still depend on the real date."""

from __future__ import annotations

import datetime as dt
import os

import pytest

DEFAULT_TEST_TIME = "2026-06-15T12:00:00+08:00"


def suite_instant() -> dt.datetime:
    raw = os.environ.get("WUHAI_TEST_TIME", "").strip() or DEFAULT_TEST_TIME
    try:
        instant = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise pytest.UsageError(f"WUHAI_TEST_TIME={raw!r} is not an ISO 8601 instant") from None
    if instant.tzinfo is None:
        raise pytest.UsageError(f"WUHAI_TEST_TIME={raw!r} needs an offset, e.g. +08:00")
    return instant
