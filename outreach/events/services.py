"""Writes of events: recording one with its photos."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outreach.models import OutreachEvent, OutreachEventPhoto
from wuhai_coverage.core import access
from wuhai_coverage.core.models import District, User
from wuhai_coverage.core.roles import POST_PUBLICITY

log = logging.getLogger(__name__)

EARLIEST_EVENT = dt.date(2020, 1, 1)  # the policy (乌海政发〔2020〕17号) is from 2020
# An event may be put on the calendar ahead of time, up to a year.
PLAN_AHEAD = dt.timedelta(days=366)


class EventError(ValueError):
    pass


def may_record_in(user: User, district: District | None) -> bool:
    """City-wide staff record anywhere (a null district is a city-wide event); a district's
    caseworkers and street staff record in their own district only."""
    if not access.has(user, POST_PUBLICITY):
        return False
    j = access.jurisdiction_of(user)
    if j.city:
        return True
    return district is not None and not j.nothing and district.code == j.district_code


@transaction.atomic
def event_create(
    *,
    actor: User,
    kind: str,
    title: str,
    place: str,
    held_on: dt.date,
    district: District | None,
    reach: int,
    photos: list[UploadedFile] | None = None,
) -> OutreachEvent:
    if not may_record_in(actor, district):
        raise EventError(_("不能在辖区以外记录活动"))
    if kind not in OutreachEvent.Kind.values:
        raise EventError(_("未知的活动类型"))
    if not title.strip() or not place.strip():
        raise EventError(_("活动名称和地点不能为空"))
    today = timezone.localdate()
    if held_on < EARLIEST_EVENT:
        raise EventError(_("活动日期不能早于 %(date)s") % {"date": EARLIEST_EVENT})
    if held_on > today + PLAN_AHEAD:
        raise EventError(_("活动日期不能晚于一年以后"))
    if reach < 0:
        raise EventError(_("覆盖人数不能为负数"))
    event = OutreachEvent.objects.create(
        kind=kind,
        title=title.strip(),
        place=place.strip(),
        held_on=held_on,
        district=district,
        reach=reach,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    for photo in photos or []:
        item = OutreachEventPhoto(event=event)
        item.photo.save(photo.name, photo, save=False)
        item.save()
    log.info("outreach event %s (%s, %s) recorded by %s", event.pk, kind, held_on, actor.username)
    return event
