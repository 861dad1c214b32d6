"""Builders shared by the SMS tests: a person with an open person task, a campaign."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from enrollment.models import Person
from outreach.sms import services
from tests.factories import PersonTaskFactory, make_id_number

_phones = itertools.count(13700000001)


def next_phone() -> str:
    return str(next(_phones))


def person_task(
    *,
    name: str = "陈静",
    sex: str = "F",
    phone: str | None = "auto",
    district: str = "150302",
    street: str = "150302001",
    kind: str = "enroll_person",
    status: str = "open",
    id_number: str | None = None,
):
    """A registry person and an open person task about them."""
    task = PersonTaskFactory(district_id=district, street_id=street, kind=kind, status=status)
    if id_number:
        task.subject_key = id_number
        task.save(update_fields=["subject_key"])
    Person.objects.update_or_create(
        id_number=task.subject_key,
        defaults={
            "name": name,
            "birth_date": dt.date(1985, 1, 1),
            "sex": sex,
            "district_id": district,
            "street_id": street,
            "phone": next_phone() if phone == "auto" else (phone or ""),
        },
    )
    return task


def phone_of(task) -> str:
    return Person.objects.get(id_number=task.subject_key).phone


def make_campaign(user, *, template: str = services.DEFAULT_TEMPLATE, **kw):
    kw.setdefault("kinds", ["enroll_person"])
    kw.setdefault("statuses", list(services.OPEN_STATUSES))
    kw.setdefault("deadline", timezone.localdate() + dt.timedelta(days=30))
    return services.campaign_create(actor=user, template=template, **kw)


def send_now(campaign, *, user, gateway=None, **kw):
    """Queue and send in this process (what the Celery job does)."""
    from outreach.models import SmsCampaign

    SmsCampaign.objects.filter(pk=campaign.pk).update(status="queued", sent_by=user)
    return services.campaign_send(campaign_id=campaign.pk, gateway=gateway, **kw)


__all__ = ["make_campaign", "make_id_number", "person_task", "phone_of", "send_now"]
