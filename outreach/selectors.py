"""Reads of outreach: communities and publicity postings within a user's jurisdiction
(Community → street → district)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Q, QuerySet

from outreach.models import PublicityPosting
from wuhai_coverage.core import access
from wuhai_coverage.core.models import Community

COMMUNITY_PATH = {"district_field": "street__district", "street_field": "street"}
POSTING_PATH = {"district_field": "community__street__district", "street_field": "community__street"}


def communities_for_user(*, user) -> QuerySet:
    return access.scope(Community.objects.select_related("street__district"), user, **COMMUNITY_PATH)


def community_coverage(*, user, year: int, until: dt.date) -> QuerySet:
    """Each community in the jurisdiction with its number of postings in the year and the last date."""
    in_year = Q(postings__posted_on__gte=dt.date(year, 1, 1), postings__posted_on__lte=until)
    return (
        communities_for_user(user=user)
        .annotate(
            n_postings=Count("postings", filter=in_year),
            last_posted=Max("postings__posted_on", filter=in_year),
        )
        .order_by("street__district_id", "street_id", "code")
    )


def postings_for_user(*, user) -> QuerySet:
    return access.scope(
        PublicityPosting.objects.select_related("community__street__district", "posted_by"),
        user,
        **POSTING_PATH,
    )


def posting_get_for_user(*, user, pk) -> PublicityPosting:
    return access.get_for_user(postings_for_user(user=user), user, pk=pk, **POSTING_PATH)
