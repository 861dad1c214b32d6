"""Reads of enforcement cases: the list with its filters and counts, one case, its file
(violations, findings, attachments, documents, timeline) and the employer's rows from
every current roster (the task page's selector). Jurisdiction through the access helper:
a case outside it does not exist for the user (404)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, cast

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enforcement.blacklist.selectors import ready_to_propose_q
from enforcement.cases.models import CaseAttachment, CaseDocument, CaseViolation
from enforcement.models import CaseEvent, EnforcementCase, Task
from enforcement.selectors import Aspect, Source, subject_sources_get
from wuhai_coverage.core import access
from wuhai_coverage.core.filters import SEARCH_MAX_CHARS, SEARCH_TOO_LONG, FilterError, filtered
from wuhai_coverage.core.models import User
from wuhai_coverage.core.roles import VIEW_CASES

Status = EnforcementCase.Status

# The lists of the inspectors' page (`view=`): each a named slice of the cases.
VIEWS: dict[str, Any] = {
    "mine": _("我的案件"),
    "unassigned": _("待认领"),
    "active": _("在办"),
    "awaiting": _("待整改（指令期限内）"),
    "ready": _("可提请列入失信名单（逾期未整改）"),
    "closed": _("已结案"),
    "all": _("全部"),
}
PAGE_SIZE = 50


def case_scope(*, user: User) -> QuerySet[EnforcementCase]:
    """Every case in the user's jurisdiction (nothing without view_cases)."""
    return access.scope_for(EnforcementCase.objects.all(), user, VIEW_CASES)


def _view_q(view: str, user: User) -> Q:
    today = timezone.localdate()
    return {
        "mine": Q(inspector=user) & ~Q(status=Status.CLOSED),
        "unassigned": Q(inspector__isnull=True) & ~Q(status=Status.CLOSED),
        "active": ~Q(status=Status.CLOSED),
        "awaiting": Q(status=Status.ORDER_ISSUED, order_deadline__gte=today),
        "ready": ready_to_propose_q(),  # the blacklist's own definition
        "closed": Q(status=Status.CLOSED),
        "all": Q(),
    }[view]


class CaseFilterSet(django_filters.FilterSet):
    """Filters of /cases/ and GET /api/v1/cases/; an empty value is no filter."""

    view = django_filters.ChoiceFilter(
        choices=list(VIEWS.items()),
        method="filter_view",
        error_messages={"invalid_choice": _("未知的列表 %(value)s")},
    )
    status = django_filters.ChoiceFilter(
        choices=Status.choices, error_messages={"invalid_choice": _("未知的状态 %(value)s")}
    )
    case_type = django_filters.ChoiceFilter(
        choices=EnforcementCase.CaseType.choices,
        error_messages={"invalid_choice": _("未知的案件类型 %(value)s")},
    )
    district = django_filters.CharFilter(
        field_name="district_id", validators=[RegexValidator(r"^\d{6}$", _("区划代码为6位数字"))]
    )
    q = django_filters.CharFilter(
        method="filter_text", max_length=SEARCH_MAX_CHARS, error_messages={"max_length": SEARCH_TOO_LONG}
    )

    class Meta:
        model = EnforcementCase
        fields: list[str] = []

    def __init__(self, data: Mapping[str, Any] | None = None, queryset=None, *, user: User, **kwargs: Any):
        clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in (data or {}).items()}
        super().__init__(clean, queryset, **kwargs)
        self.user = user

    def filter_view(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(_view_q(value, self.user))

    def filter_text(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(Q(employer_name__icontains=value) | Q(employer_uscc__startswith=value.upper()))


def case_list(*, user: User, filters: Mapping[str, Any] | None = None) -> QuerySet[EnforcementCase]:
    """Cases in the user's jurisdiction matching `filters`, newest first; FilterError on a
    value that is not allowed."""
    qs = filtered(CaseFilterSet(filters or {}, case_scope(user=user), user=user))
    return qs.select_related("district", "inspector", "task").order_by("-opened_at", "-id")


def case_counts_get(*, user: User) -> dict[str, int]:
    """How many cases each list holds (one pass)."""
    return case_scope(user=user).aggregate(
        **{view: Count("id", filter=_view_q(view, user)) for view in VIEWS}
    )


def case_get_for_user(*, user: User, pk: int) -> EnforcementCase:
    scoped = case_scope(user=user).select_related("district", "street", "inspector", "task", "opened_by")
    return cast(EnforcementCase, access.get_for_user(scoped, user, pk=pk))


def attachment_get_for_user(*, user: User, pk: int) -> CaseAttachment:
    attachment = CaseAttachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404("no such attachment")
    case_get_for_user(user=user, pk=attachment.case_id)  # 404 outside the jurisdiction
    return attachment


def document_get_for_user(*, user: User, pk: int) -> CaseDocument:
    document = CaseDocument.objects.filter(pk=pk).first()
    if document is None or not document.pdf:
        raise Http404("no such document")
    case_get_for_user(user=user, pk=document.case_id)
    return document


def case_events_list(*, case: EnforcementCase) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id")


def case_violations_list(*, case: EnforcementCase) -> QuerySet[CaseViolation]:
    return case.violations.select_related("recorded_by").order_by("recorded_at", "id")


def case_tasks_list(*, case: EnforcementCase) -> QuerySet[Task]:
    """The employer's tasks (any kind, any status), the escalated one included."""
    return Task.objects.filter(
        Q(subject_type=Task.SubjectType.EMPLOYER, subject_key=case.employer_uscc) | Q(pk=case.task_id or 0)
    ).order_by("-opened_at", "-id")


def case_sources_get(
    *, case: EnforcementCase, as_of: dt.date | None = None
) -> tuple[list[Source], list[Aspect]]:
    """The employer's row in every current roster, side by side, as on the task page."""
    subject = Task(subject_type=Task.SubjectType.EMPLOYER, subject_key=case.employer_uscc)
    return subject_sources_get(task=subject, as_of=as_of)


__all__ = ["FilterError", "case_list", "case_get_for_user"]
