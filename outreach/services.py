"""Writes of outreach: publicity postings."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from outreach.models import PublicityPosting

EARLIEST_POSTING = dt.date(2020, 1, 1)  # the policy (乌海政发〔2020〕17号) is from 2020


class PostingError(ValueError):
    pass


@transaction.atomic
def posting_create(
    *, community, posted_on: dt.date, posted_by, note: str = "", photo=None
) -> PublicityPosting:
    """Record a publicity posting in a community (the caller has checked the jurisdiction)."""
    today = timezone.localdate()
    if posted_on > today:
        raise PostingError("张贴日期不能晚于今天 / the posting date cannot be in the future")
    if posted_on < EARLIEST_POSTING:
        raise PostingError(f"张贴日期不能早于 {EARLIEST_POSTING} / the posting date is too early")
    posting = PublicityPosting(
        community=community, posted_on=posted_on, posted_by=posted_by, note=note.strip()
    )
    if photo:
        posting.photo.save(photo.name, photo, save=False)
    posting.save()
    return posting
