"""Reads of outreach: communities and publicity postings within a user's jurisdiction
(Community → street → district)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Max, Q, QuerySet

from outreach.models import PublicityPosting
from wuhai_coverage.core import access
from wuhai_coverage.core.models import Community, User

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _Coverage(TypedDict):
    n_postings: int
    last_posted: dt.date | None


COMMUNITY_PATH = {"district_field": "street__district", "street_field": "street"}
POSTING_PATH = {"district_field": "community__street__district", "street_field": "community__street"}


def community_list(*, user: User) -> QuerySet[Community]:
    return access.scope(Community.objects.select_related("street__district"), user, **COMMUNITY_PATH)


def community_get_for_user(*, user: User, code: str) -> Community:
    """A community in the user's jurisdiction by its code; 404 otherwise."""
    community = access.get_for_user(community_list(user=user), user, code=code, **COMMUNITY_PATH)
    assert isinstance(community, Community)  # narrows get_for_user's Model
    return community


def community_coverage_list(
    *, user: User, year: int, until: dt.date
) -> QuerySet[WithAnnotations[Community, _Coverage]]:
    """Each community in the jurisdiction with its number of postings in the year and the last date."""
    in_year = Q(postings__posted_on__gte=dt.date(year, 1, 1), postings__posted_on__lte=until)
    return (
        community_list(user=user)
        .annotate(
            n_postings=Count("postings", filter=in_year),
            last_posted=Max("postings__posted_on", filter=in_year),
        )
        .order_by("street__district_id", "street_id", "code")
    )


def posting_list(*, user: User, year: int | None = None) -> QuerySet[PublicityPosting]:
    """The postings in the user's jurisdiction, newest first; of one year when given."""
    postings = access.scope(
        PublicityPosting.objects.select_related("community__street__district", "posted_by"),
        user,
        **POSTING_PATH,
    )
    return postings if year is None else postings.filter(posted_on__year=year)


def posting_get_for_user(*, user: User, pk: int) -> PublicityPosting:
    posting = access.get_for_user(posting_list(user=user), user, pk=pk, **POSTING_PATH)
    assert isinstance(posting, PublicityPosting)  # narrows get_for_user's Model
    return posting
