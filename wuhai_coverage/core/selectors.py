"""Reads for the accounts pages: API keys and locked sign-ins (city managers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from wuhai_coverage.core.models import ApiToken


def api_tokens_list(*, show: str) -> QuerySet[ApiToken]:
    """Every API key by account; only those still usable unless `show == "all"`."""
    rows = ApiToken.objects.select_related("user", "revoked_by").order_by(
        "user__role", "user__username", "-created_at"
    )
    if show != "all":
        rows = rows.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
    return rows


# How many of one account's keys its own page lists (newest first).
OWN_TOKENS_SHOWN = 20


def api_tokens_of(*, user) -> list[ApiToken]:
    """One account's own keys, newest first (a partner manages its keys on its home)."""
    return list(
        ApiToken.objects.filter(user=user)
        .select_related("revoked_by")
        .order_by("-created_at")[:OWN_TOKENS_SHOWN]
    )


def lockouts_list(*, cool_off: dt.timedelta | None) -> list[dict[str, Any]]:
    """Sign-ins locked by too many failures (username + address), newest first, each with
    the instant its lock ends (`None` when locks never expire)."""
    from axes.models import AccessAttempt

    qs = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    if cool_off:
        qs = qs.filter(attempt_time__gt=timezone.now() - cool_off)
    return [
        {
            "pk": a.pk,
            "username": a.username,
            "ip": a.ip_address,
            "failures": a.failures_since_start,
            "at": a.attempt_time,
            "until": a.attempt_time + cool_off if cool_off else None,
        }
        for a in qs.order_by("-attempt_time")
    ]
