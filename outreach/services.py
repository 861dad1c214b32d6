"""Writes of outreach: publicity postings."""

from __future__ import annotations

import datetime as dt

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outreach.models import PublicityPosting
from wuhai_coverage.core.models import Community, User

EARLIEST_POSTING = dt.date(2020, 1, 1)  # the policy (乌海政发〔2020〕17号) is from 2020


class PostingError(ValueError):
    pass


@transaction.atomic
def posting_create(
    *, community: Community, posted_on: dt.date, posted_by: User, note: str = "", photo: File | None = None
) -> PublicityPosting:
    """Record a publicity posting in a community (the caller has checked the jurisdiction)."""
    today = timezone.localdate()
    if posted_on > today:
        raise PostingError(_("张贴日期不能晚于今天"))
    if posted_on < EARLIEST_POSTING:
        raise PostingError(_("张贴日期不能早于 %(date)s") % {"date": EARLIEST_POSTING})
    posting = PublicityPosting(
        community=community, posted_on=posted_on, posted_by=posted_by, note=note.strip()
    )
    if photo:
        posting.photo.save(photo.name, photo, save=False)
    posting.save()
    return posting
