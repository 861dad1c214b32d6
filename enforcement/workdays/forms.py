"""The calendar page's form: one day, its kind and name (the service checks the rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from enforcement.models import WorkCalendarDay
from enforcement.workdays.services import NAME_MAX, CalendarError, calendar_day_set
from wuhai_coverage.core.models import User


class CalendarDayForm(forms.Form):
    day = forms.DateField(label=_("日期"), input_formats=["%Y-%m-%d"])
    kind = forms.ChoiceField(label=_("类型"), choices=WorkCalendarDay.Kind.choices)
    name = forms.CharField(label=_("名称"), max_length=NAME_MAX)

    def save(self, *, actor: User) -> WorkCalendarDay | None:
        """Set the day through the service; a refused change becomes a form error (None)."""
        try:
            return calendar_day_set(
                actor=actor,
                day=self.cleaned_data["day"],
                kind=self.cleaned_data["kind"],
                name=self.cleaned_data["name"],
            )
        except CalendarError as exc:
            self.add_error(None, str(exc))
            return None
