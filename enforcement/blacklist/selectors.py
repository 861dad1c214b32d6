"""Reads of the credit blacklist: the managers' tabs and counts, one entry within the
user's reach, the cases ready to propose, the public list, the partners' feed and their
delivery log. Jurisdiction through wuhai_coverage/core/access.py only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from enforcement.blacklist.models import BlacklistDelivery
from enforcement.blacklist.vocabulary import VIOLATION_OF_CASE_TYPE
from enforcement.models import BlacklistEntry, EnforcementCase
from wuhai_coverage.core import access
from wuhai_coverage.core.filters import SEARCH_MAX_CHARS
from wuhai_coverage.core.models import Role, User

Status = BlacklistEntry.Status
LIVE = (Status.PROPOSED, Status.NOTIFIED, Status.UNDER_REVIEW, Status.PUBLISHED)
# The "expiring" tab: entries leaving the list within this many days (its label says 30).
EXPIRING_DAYS = 30


@dataclass(frozen=True)
class Tab:
    code: str
    label: StrOrPromise


TABS: tuple[Tab, ...] = (
    Tab("proposed", _("拟列入")),
    Tab("awaiting_statement", _("待陈述申辩")),
    Tab("awaiting_review", _("待审核")),
    Tab("listed", _("已公布")),
    Tab("expiring", _("30日内到期")),
    Tab("removed", _("已移出")),
    Tab("rejected", _("不予列入")),
)
TAB_CODES = {tab.code for tab in TABS}


def _tab_q(code: str, today: dt.date) -> Q:
    return {
        "proposed": Q(status=Status.PROPOSED),
        "awaiting_statement": Q(status=Status.NOTIFIED),
        "awaiting_review": Q(status=Status.UNDER_REVIEW),
        "listed": Q(status=Status.PUBLISHED),
        "expiring": Q(
            status=Status.PUBLISHED,
            expires_on__lte=today + dt.timedelta(days=EXPIRING_DAYS),
        ),
        "removed": Q(status=Status.REMOVED),
        "rejected": Q(status=Status.REJECTED),
    }[code]


def _scoped(user: User) -> QuerySet[BlacklistEntry]:
    """Entries within the user's reach: city-wide roles see all; a district's staff those of
    its district's cases; nobody else any."""
    qs = BlacklistEntry.objects.select_related("case", "proposed_by", "reviewed_by")
    return access.scope(qs, user, district_field="case__district", street_field="")


def entry_list(*, user: User, tab: str, q: str = "") -> QuerySet[BlacklistEntry]:
    qs = _scoped(user).filter(_tab_q(tab, timezone.localdate()))
    if q:
        qs = qs.filter(Q(employer_name__icontains=q) | Q(employer_uscc__startswith=q.upper()))
    order = ["expires_on", "-id"] if tab in ("listed", "expiring") else ["-updated_at", "-id"]
    return qs.order_by(*order)


def tab_counts(*, user: User) -> dict[str, int]:
    today = timezone.localdate()
    counts = _scoped(user).aggregate(
        **{tab.code: Count("pk", filter=_tab_q(tab.code, today)) for tab in TABS}
    )
    return {code: int(value or 0) for code, value in counts.items()}


def entry_get_for_user(*, user: User, pk: int) -> BlacklistEntry:
    entry = access.get_for_user(_scoped(user), user, district_field="case__district", street_field="", pk=pk)
    assert isinstance(entry, BlacklistEntry)
    return entry


def ready_to_propose_q() -> Q:
    """Unrectified cases of a type that may be listed, whose employer has no live entry: the
    one definition of "ready to propose", read by this list and by the cases' "ready" view."""
    live = BlacklistEntry.objects.filter(status__in=LIVE).values("employer_uscc")
    return Q(status=EnforcementCase.Status.UNRECTIFIED, case_type__in=list(VIOLATION_OF_CASE_TYPE)) & ~Q(
        employer_uscc__in=live
    )


def cases_ready_to_propose(*, user: User) -> QuerySet[EnforcementCase]:
    """Cases whose order's deadline passed unrectified, of a type that may be listed, whose
    employer has no live entry: the inspectors' "ready to propose" list."""
    qs = EnforcementCase.objects.filter(ready_to_propose_q(), order_deadline__lt=timezone.localdate())
    return access.scope(qs, user, street_field="").select_related("district").order_by("order_deadline", "pk")


def public_list(*, q: str = "") -> QuerySet[BlacklistEntry]:
    """The published list (anyone): listed entries only — nothing after removal."""
    qs = BlacklistEntry.objects.filter(status=Status.PUBLISHED)
    q = (q or "").strip()[:SEARCH_MAX_CHARS]
    if q:
        qs = qs.filter(Q(employer_name__icontains=q) | Q(employer_uscc__iexact=q))
    return qs.order_by("-listed_on", "-id")


def partner_feed(*, updated_since: dt.datetime | None = None) -> QuerySet[BlacklistEntry]:
    """What a partner pulls: without `updated_since`, every listed entry; with it, the
    entries listed or changed since then and those removed since then (so that the partner
    lifts its measures)."""
    if updated_since is None:
        qs = BlacklistEntry.objects.filter(status=Status.PUBLISHED)
    else:
        qs = BlacklistEntry.objects.filter(
            Q(status=Status.PUBLISHED, updated_at__gte=updated_since)
            | Q(status=Status.REMOVED, removed_at__gte=updated_since)
        )
    return qs.order_by("updated_at", "id")


def deliveries_for(*, user: User, filters: Mapping[str, str] | None = None) -> QuerySet[BlacklistDelivery]:
    """A partner reads its own department's deliveries; bureau staff who may read the
    list see every department's (to follow up who has not acknowledged)."""
    qs = BlacklistDelivery.objects.select_related("entry")
    if user.role == Role.PARTNER:
        qs = qs.filter(department=user.department)
    if (filters or {}).get("pending") == "true":
        qs = qs.filter(acknowledged_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def delivery_get_for_user(*, user: User, pk: int) -> BlacklistDelivery:
    from django.http import Http404

    delivery = deliveries_for(user=user).filter(pk=pk).first()
    if delivery is None:
        raise Http404("not found")
    return delivery
