"""What every app's django-filter FilterSets share: the error a bad filter value raises,
applying a FilterSet, and the search box's text limit. A page answers a FilterError with
400 and the message; the API with 400 and `{parameter: [messages]}`."""

from __future__ import annotations

from collections.abc import Mapping

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

# The longest text the search boxes (task queue, registry) take.
SEARCH_MAX_CHARS = 100
SEARCH_TOO_LONG = _("查询文字不能超过 %(limit_value)d 个字")


class FilterError(ValueError):
    """Filter values a list cannot take: `errors` maps each parameter to its messages, and
    str() says them in one line (`kind: 未知的任务类型 'x'`)."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = {name: [str(m) for m in messages] for name, messages in errors.items()}
        super().__init__("; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in self.errors.items()))


def filtered(filterset: django_filters.FilterSet) -> QuerySet:
    """The filterset's queryset, or FilterError naming every bad parameter."""
    if not filterset.is_valid():
        raise FilterError(filterset.errors)
    return filterset.qs
