"""Demo data for the assessment: publicity postings in about two thirds of the communities,
spread over this year's months, and the month-end indicator snapshots of the months
already past — so the rankings page has a ranking and trend lines to show. Idempotent."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import services
from outreach.models import PublicityPosting
from wuhai_coverage.core.models import Community, User


@transaction.atomic
def load_demo_assessment(*, seed: int = 17, scale: float = 1.0, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    poster = User.objects.filter(role="city_manager").order_by("pk").first()
    if poster is None or PublicityPosting.objects.filter(posted_on__year=today.year).exists():
        return _("演示宣传张贴已存在")
    rng = random.Random(seed)
    made = 0
    for community in Community.objects.order_by("code"):
        if rng.random() < 0.67:
            month = rng.randint(1, today.month)
            day = min(rng.randint(1, 28), today.day if month == today.month else 28)
            PublicityPosting.objects.create(
                community=community,
                posted_on=dt.date(today.year, month, day),
                posted_by=poster,
                note="演示：张贴参保政策宣传海报",
            )
            made += 1
    months = services.snapshot_backfill(year=today.year, today=today)
    return _("考核演示数据：%(postings)s 条宣传张贴，%(months)s 个月度快照") % {
        "postings": made,
        "months": len(months),
    }
