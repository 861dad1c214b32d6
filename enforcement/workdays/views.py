"""The working-day calendar page (/enforcement/calendar/?year=YYYY): a city manager lists,
adds and deletes the year's holidays and make-up workdays, with the year's month grid
and the recent changes."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enforcement.models import WorkCalendarChange
from enforcement.workdays.forms import CalendarDayForm
from enforcement.workdays.selectors import calendar_month, calendar_year
from enforcement.workdays.services import FIRST_YEAR, LAST_YEAR, CalendarError, calendar_day_delete
from wuhai_coverage.core import access
from wuhai_coverage.core.http import AuthedRequest
from wuhai_coverage.core.roles import EDIT_SETTINGS

CHANGES_SHOWN = 30


def _year(request: HttpRequest, raw: str | None) -> int:
    """The year asked for, or this year with a message when it is not one the calendar keeps."""
    this_year = timezone.localdate().year
    if not raw:
        return this_year
    if raw.isdigit() and FIRST_YEAR <= int(raw) <= LAST_YEAR:
        return int(raw)
    messages.error(
        request, _("年份应为 %(first)s–%(last)s 之间的四位数字") % {"first": FIRST_YEAR, "last": LAST_YEAR}
    )
    return this_year


def _page(year: int) -> str:
    return f"{reverse('enforcement:work-calendar')}?year={year}"


@login_required
def work_calendar(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, EDIT_SETTINGS)
    year = _year(request, request.GET.get("year"))
    form = CalendarDayForm(request.POST or None)
    if form.is_valid() and (day := form.save(actor=request.user)) is not None:
        messages.success(request, _("已保存 %(day)s %(name)s") % {"day": day.date, "name": day.name})
        return redirect(_page(day.date.year))
    months = [calendar_month(year, m) for m in range(1, 13)]
    return render(
        request,
        "enforcement/work_calendar.html",
        {
            "year": year,
            "form": form,
            "days": calendar_year(year),
            "months": months,
            "working_days": sum(m.working_days for m in months),
            "changes": WorkCalendarChange.objects.filter(date__year=year).select_related("actor")[
                :CHANGES_SHOWN
            ],
        },
    )


@login_required
@require_POST
def work_calendar_delete(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, EDIT_SETTINGS)
    raw = (request.POST.get("day") or "").strip()
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        messages.error(request, _("日期格式应为 YYYY-MM-DD"))
        return redirect(_page(timezone.localdate().year))
    try:
        calendar_day_delete(actor=request.user, day=day)
    except CalendarError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已删除 %(day)s，该日按星期规则计算") % {"day": day})
    return redirect(_page(day.year))
