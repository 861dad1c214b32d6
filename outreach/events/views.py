"""Events pages: the month calendar per district, recording an event, an event with its
photos — staff with post_publicity, within their jurisdiction."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from outreach.events import seasons, selectors, services
from outreach.events.forms import EventForm
from wuhai_coverage.core import access
from wuhai_coverage.core.http import AuthedRequest
from wuhai_coverage.core.models import District
from wuhai_coverage.core.roles import POST_PUBLICITY

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class BadQuery(ValueError):
    pass


def _month(raw: str | None) -> dt.date:
    today = timezone.localdate()
    if not (raw or "").strip():
        return today.replace(day=1)
    m = MONTH.match((raw or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise BadQuery(_("月份应写作 YYYY-MM，例如 %(example)s") % {"example": today.strftime("%Y-%m")})
    first = dt.date(int(m.group(1)), int(m.group(2)), 1)
    latest = (today + services.PLAN_AHEAD).replace(day=1)
    if not services.EARLIEST_EVENT <= first <= latest:
        raise BadQuery(
            _("月份应在 %(first)s 至 %(last)s 之间")
            % {"first": services.EARLIEST_EVENT.strftime("%Y-%m"), "last": latest.strftime("%Y-%m")}
        )
    return first


def _district(request: AuthedRequest) -> District | None:
    """The district picked on the calendar: none (every district the user sees), or one of
    the user's districts; another district answers 404 (it does not exist for the user)."""
    code = (request.GET.get("district") or "").strip()
    if not code:
        return None
    district = selectors.districts_for(request.user).filter(code=code).first()
    if district is None:
        raise Http404("district outside the jurisdiction")
    return district


@login_required
@require_GET
def calendar(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, POST_PUBLICITY)
    try:
        first = _month(request.GET.get("month"))
    except BadQuery as exc:
        return render(request, "outreach/bad_request.html", {"message": str(exc)}, status=400)
    district = _district(request)
    context = {
        "month": selectors.month_get(user=request.user, first=first, district=district),
        "district": district,
        "districts": selectors.districts_for(request.user),
        "spring_festival_known": seasons.has_spring_festival(first.year),
        "weekdays": [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")],
    }
    return render(request, "outreach/events_calendar.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, POST_PUBLICITY)
    city_wide = access.jurisdiction_of(request.user).city
    districts = selectors.districts_for(request.user)
    form = EventForm(request.POST or None, request.FILES or None, districts=districts, city_wide=city_wide)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(actor=request.user, **form.cleaned_data)
        except services.EventError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已记录宣传活动"))
            return redirect("outreach:event_detail", pk=event.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "outreach/event_form.html", {"form": form}, status=status)


@login_required
@require_GET
def event_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    access.require(request.user, POST_PUBLICITY)
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    return render(request, "outreach/event_detail.html", {"event": event, "photos": event.photos.all()})


@login_required
@require_GET
def event_photo(request: AuthedRequest, pk: int) -> FileResponse:
    access.require(request.user, POST_PUBLICITY)
    photo = selectors.photo_get_for_user(user=request.user, pk=pk)
    try:
        fh = photo.photo.open("rb")
    except FileNotFoundError:
        raise Http404("no photo") from None
    return FileResponse(fh, filename=photo.photo.name.rsplit("/", 1)[-1])
