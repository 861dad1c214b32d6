"""The task queue's filters, one `TaskFilterSet` for the queue page, its XLSX export, the
street worker's list and GET /api/v1/tasks/ (read through `selectors.task_list`).

The query-parameter names are the portal's and the partners' (portal.md): kind, status,
district, street, subject, priority, overdue, q, assignee, person, sort. An empty value
is no filter; a value that is not allowed is a form error (the page answers 400 with the
message, the API 400 with `detail`), never a 500."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enforcement.models import Task, TaskKind
from enforcement.search import name_search
from wuhai_coverage.core import access
from wuhai_coverage.core.filters import SEARCH_MAX_CHARS, SEARCH_TOO_LONG
from wuhai_coverage.core.models import User
from wuhai_coverage.core.validators import fast_id_number, looks_like_key

# Queue sort keys a user may choose → the ORDER BY they stand for. Every one ends in
# "-id" so that pages are stable under ties.
SORTS: dict[str, tuple[str, ...]] = {
    "-opened_at": ("-opened_at", "-id"),
    "opened_at": ("opened_at", "id"),
    "due_date": ("due_date", "-id"),
    "-due_date": ("-due_date", "-id"),
    "priority": ("priority", "-opened_at", "-id"),  # "high" < "normal" alphabetically: high first
    "subject_name": ("subject_name", "-id"),
    "kind": ("kind", "-opened_at", "-id"),
    "status": ("status", "-opened_at", "-id"),
}
DEFAULT_SORT = "-opened_at"
STATUS_ALL = "all"  # the status filter's "every status, closed included"
# What the free-form filters accept (also the API schema's patterns); "" is no filter.
PATTERNS = {
    "district": r"^\d{6}$",
    "street": r"^\d{9}$",
    "assignee": r"^(me|none|\d{1,18})$",
    "person": r"^\d{1,18}$",
}

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class TriStateField(forms.Field):
    """true / false / "" (no filter): 1, true, yes, on and 0, false, no, off in any case;
    anything else is an error (django-filter's NullBooleanField would read it as "")."""

    default_error_messages = {"invalid": _("应为 true 或 false，而不是 %(value)s")}

    def to_python(self, value: Any) -> bool | None:
        if value in (None, "") or isinstance(value, bool):
            return value if isinstance(value, bool) else None
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise forms.ValidationError(
            self.error_messages["invalid"], code="invalid", params={"value": repr(str(value)[:20])}
        )


class TriStateFilter(django_filters.Filter):
    field_class = TriStateField


def _choice_error(what: StrOrPromise) -> dict[str, Any]:
    return {"invalid_choice": what}


def _key_q(text: str) -> Q:
    """The free-text search of a text that looks like a key (see looks_like_key; any other
    text is matched against the name, search.name_search). It needs the whole key: a whole
    ID number matches a person's key exactly (a prefix search over ID numbers would let
    anyone who knows a region code and a birth date enumerate persons); other key-like
    text is a prefix of a USCC or project code, never a person."""
    id_number = fast_id_number(text)
    if id_number is not None:
        return Q(subject_type=Task.SubjectType.PERSON, subject_key=id_number) | Q(
            subject_key=text.upper()
        ) & ~Q(subject_type=Task.SubjectType.PERSON)
    return Q(subject_key__startswith=text.upper()) & ~Q(subject_type=Task.SubjectType.PERSON)


class TaskFilterSet(django_filters.FilterSet):
    """Filters over a queryset of tasks already scoped to `user`'s jurisdiction.

    `closed_by_default`: without a status, the queue shows the tasks still being worked
    (the partial indexes' predicate); the API shows every status."""

    kind = django_filters.ChoiceFilter(
        choices=TaskKind.choices, error_messages=_choice_error(_("未知的任务类型 %(value)s"))
    )
    status = django_filters.ChoiceFilter(
        choices=[*Task.Status.choices, (STATUS_ALL, _("全部（含已关闭）"))],
        method="filter_status",
        error_messages=_choice_error(_("未知的状态 %(value)s")),
    )
    district = django_filters.CharFilter(
        field_name="district_id",
        validators=[RegexValidator(PATTERNS["district"], _("区划代码为6位数字"))],
    )
    street = django_filters.CharFilter(
        field_name="street_id",
        validators=[RegexValidator(PATTERNS["street"], _("街道代码为9位数字"))],
    )
    subject = django_filters.CharFilter(field_name="subject_key")  # exact key, revealed or not
    priority = django_filters.ChoiceFilter(
        choices=Task.Priority.choices, error_messages=_choice_error(_("未知的优先级 %(value)s"))
    )
    overdue = TriStateFilter(method="filter_overdue")
    q = django_filters.CharFilter(
        method="filter_text",
        max_length=SEARCH_MAX_CHARS,
        error_messages={"max_length": SEARCH_TOO_LONG},
    )
    assignee = django_filters.CharFilter(
        method="filter_assignee",
        validators=[RegexValidator(PATTERNS["assignee"], _("应为 me、none 或用户编号"))],
    )
    person = django_filters.CharFilter(
        method="filter_person",
        validators=[RegexValidator(PATTERNS["person"], _("人员编号应为整数"))],
    )
    sort = django_filters.ChoiceFilter(
        choices=[(key, key) for key in SORTS],
        method="filter_sort_later",
        error_messages=_choice_error(_("不支持的排序 %(value)s")),
    )

    class Meta:
        model = Task
        fields: list[str] = []

    # A value is stripped before it is validated (forms.CharField), so "$" in PATTERNS
    # cannot let a trailing newline through.

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        queryset: QuerySet[Task] | None = None,
        *,
        user: User,
        closed_by_default: bool = True,
        **kwargs: Any,
    ) -> None:
        # One value per parameter, stripped: " open " is "open", as the queue always read it.
        clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in (data or {}).items()}
        super().__init__(clean, queryset, **kwargs)
        self.user = user
        self.closed_by_default = closed_by_default

    def filter_status(self, qs: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        return qs if value == STATUS_ALL else qs.filter(status=value)

    def filter_overdue(self, qs: QuerySet[Task], name: str, value: bool) -> QuerySet[Task]:
        overdue = Q(due_date__lt=timezone.localdate()) & ~Q(status=Task.Status.CLOSED)
        return qs.filter(overdue) if value else qs.exclude(overdue)

    def filter_text(self, qs: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        # A name goes through the bigram index (enforcement/search.py), a key through
        # the key's indexes.
        return qs.filter(_key_q(value)) if looks_like_key(value) else name_search(qs, value)

    def filter_assignee(self, qs: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        if value == "me":
            return qs.filter(assignee=self.user)
        if value == "none":
            return qs.filter(assignee__isnull=True)
        return qs.filter(assignee_id=int(value))

    def filter_person(self, qs: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        """A registry person's tasks, by the person's pk (their key never in a URL)."""
        from enrollment.models import Person

        key = access.scope(Person.objects.filter(pk=int(value)), self.user).values("id_number")[:1]
        return qs.filter(subject_type=Task.SubjectType.PERSON, subject_key=Subquery(key))

    def filter_sort_later(self, qs: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        return qs  # the order is applied last, in filter_queryset

    def filter_queryset(self, queryset: QuerySet[Task]) -> QuerySet[Task]:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if self.closed_by_default and not data.get("status"):
            queryset = queryset.exclude(status=Task.Status.CLOSED)  # matches the partial indexes
        return queryset.order_by(*SORTS[data.get("sort") or DEFAULT_SORT])

    @property
    def values(self) -> dict[str, Any]:
        """The cleaned values (after is_valid), with the sort that applies."""
        return {**self.form.cleaned_data, "sort": self.form.cleaned_data.get("sort") or DEFAULT_SORT}
