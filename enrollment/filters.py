"""The filters of enrollment's lists, as django-filter FilterSets: the roster batches (page
and API) and the registry (employers, persons). The selectors apply them; a bad value is a
form error (FilterError), which the page shows with 400 and the API answers with 400 — an
empty value is no filter. Query-parameter names are the pages' and the API's own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from enrollment.models import Employer, Person, RosterBatch, RosterKind
from wuhai_coverage.core.filters import SEARCH_MAX_CHARS, SEARCH_TOO_LONG
from wuhai_coverage.core.models import Department, District, Street
from wuhai_coverage.core.validators import fast_id_number, looks_like_key

# Text that looks like a key is matched against the key; anything else as part of the name
# (like the task queue's `q`). A USCC may be searched by its start; an ID number only whole
# (a prefix search would enumerate persons by region and birth date).
ENROLLED_CHOICES = [("1", _("已参保")), ("0", _("未参保"))]


# --- roster batches ------------------------------------------------------------------------


class RosterBatchFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=RosterKind.choices,
        error_messages={"invalid_choice": _("未知的名册类型 %(value)s")},
    )
    department = django_filters.ChoiceFilter(
        choices=Department.choices,
        error_messages={"invalid_choice": _("未知的部门 %(value)s")},
    )

    class Meta:
        model = RosterBatch
        fields = ["kind", "department"]


# --- the registry ------------------------------------------------------------------------------


class RegistryForm(forms.Form):
    """The registry's search box: an ID number is searched only whole."""

    whole_key = False

    def clean_q(self) -> str:
        q: str = self.cleaned_data.get("q") or ""
        if self.whole_key and q and looks_like_key(q) and fast_id_number(q) is None:
            raise forms.ValidationError(_("身份证号须完整输入（18位或15位），不支持按开头查询"))
        return q


class PersonRegistryForm(RegistryForm):
    whole_key = True


class RegistryFilterSet(django_filters.FilterSet):
    key_field = ""
    enrolled_field = ""

    q = django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX_CHARS,
        error_messages={"max_length": SEARCH_TOO_LONG},
    )
    district = django_filters.ModelChoiceFilter(
        queryset=District.objects.all(),
        to_field_name="code",
        error_messages={"invalid_choice": _("未知的区划代码")},
    )
    street = django_filters.ModelChoiceFilter(
        queryset=Street.objects.all(),
        to_field_name="code",
        error_messages={"invalid_choice": _("未知的街道代码")},
    )
    enrolled = django_filters.ChoiceFilter(
        choices=ENROLLED_CHOICES,
        method="filter_enrolled",
        error_messages={"invalid_choice": _("参保只能是 1（已参保）或 0（未参保）")},
    )

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not looks_like_key(value):
            return queryset.filter(name__icontains=value)
        return queryset.filter(Q(**{f"{self.key_field}__startswith": value.upper()}))

    def filter_enrolled(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(**{self.enrolled_field: value == "1"})


class EmployerFilterSet(RegistryFilterSet):
    key_field = "uscc"
    enrolled_field = "enrolled"

    class Meta:
        model = Employer
        form = RegistryForm
        fields = ["q", "district", "street", "enrolled"]


class PersonFilterSet(RegistryFilterSet):
    key_field = "id_number"
    enrolled_field = "is_enrolled"  # annotated by the selector

    class Meta:
        model = Person
        form = PersonRegistryForm
        fields = ["q", "district", "street", "enrolled"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        id_number = fast_id_number(value) if looks_like_key(value) else None
        if id_number is None:  # a name (the form refused an ID number's start)
            return queryset.filter(name__icontains=value)
        return queryset.filter(id_number=id_number)


def registry_params(data: Mapping[str, Any]) -> dict[str, str]:
    """The registry filters present in a query (for the pager's links), trimmed."""
    return {
        name: str(data.get(name) or "").strip()
        for name in RegistryFilterSet.base_filters
        if str(data.get(name) or "").strip()
    }
