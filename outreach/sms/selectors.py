"""Reads of SMS pushes: campaigns in the user's jurisdiction, a campaign's counts and
preview, its delivery log, the opt-out list."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, QuerySet

from outreach.sms.models import SmsCampaign, SmsMessage, SmsOptOut
from outreach.sms.services import SAMPLES, SEGMENT_MULTI, SEGMENT_SINGLE
from wuhai_coverage.core import access
from wuhai_coverage.core.sql import t


def campaign_list(*, user) -> QuerySet[SmsCampaign]:
    qs = SmsCampaign.objects.select_related("district", "street", "created_by", "sent_by")
    return access.scope(qs, user, street_field="")


def campaign_get_for_user(*, user, pk: int) -> SmsCampaign:
    qs = SmsCampaign.objects.select_related("district", "street", "created_by", "sent_by")
    return access.get_for_user(qs, user, street_field="", pk=pk)  # type: ignore[return-value]


@dataclass
class CampaignCounts:
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_reason: dict[str, int] = field(default_factory=dict)
    segments: int = 0  # parts billed for the messages still to send (or sent)
    longest: int = 0  # the most parts one message takes

    def of(self, status: str) -> int:
        return self.by_status.get(status, 0)

    @property
    def pending(self) -> int:
        return self.of(SmsMessage.Status.PENDING)


def campaign_counts(campaign: SmsCampaign) -> CampaignCounts:
    counts = CampaignCounts()
    rows = (
        SmsMessage.objects.filter(campaign=campaign)
        .values("status", "skip_reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts.total += row["n"]
        counts.by_status[row["status"]] = counts.by_status.get(row["status"], 0) + row["n"]
        if row["skip_reason"]:
            counts.by_reason[row["skip_reason"]] = row["n"]
    with connection.cursor() as cursor:
        # Parts per message: 70 characters fit one; longer, 67 per part (rounded up).
        cursor.execute(
            f"""SELECT COALESCE(SUM(parts), 0), COALESCE(MAX(parts), 0) FROM (
                  SELECT CASE WHEN LENGTH(text) <= {SEGMENT_SINGLE} THEN 1
                              ELSE (LENGTH(text) + {SEGMENT_MULTI - 1}) / {SEGMENT_MULTI} END AS parts
                  FROM {t(SmsMessage)} WHERE campaign_id = %(c)s AND status <> 'skipped') AS m""",
            {"c": campaign.pk},
        )
        counts.segments, counts.longest = (int(v) for v in cursor.fetchone())
    return counts


def campaign_samples(campaign: SmsCampaign) -> list[SmsMessage]:
    """The first few messages to send, as they will read (phones are masked in the template)."""
    qs = SmsMessage.objects.filter(campaign=campaign).exclude(status=SmsMessage.Status.SKIPPED)
    return list(qs.order_by("id")[:SAMPLES])


def message_list(*, campaign: SmsCampaign, status: str = "") -> QuerySet[SmsMessage]:
    qs = SmsMessage.objects.filter(campaign=campaign).select_related("task").order_by("id")
    if status in SmsMessage.Status.values:
        qs = qs.filter(status=status)
    return qs


def opt_out_list() -> QuerySet[SmsOptOut]:
    return SmsOptOut.objects.select_related("created_by").order_by("-created_at", "-id")
