"""The role homes that /dashboard/ hands over to (enforcement/views.py `dashboard`): the
inspector's cases and blacklist work, the managers' city overview. Thin: a selector, a
chart, a template."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from enforcement import selectors_homes
from enforcement.charts import stacked_bars
from wuhai_coverage.core import access
from wuhai_coverage.core.http import AuthedRequest
from wuhai_coverage.core.roles import VIEW_CASES, VIEW_TASKS, capabilities_of


def inspector_home(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, VIEW_CASES)
    ctx = selectors_homes.inspector_home_get(user=request.user)
    ctx["caps"] = set(capabilities_of(request.user.role))
    return render(request, "enforcement/home_inspector.html", ctx)


def manager_home(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, VIEW_TASKS)
    ctx = selectors_homes.city_overview_get(user=request.user)
    series = [str(label) for _code, label in ctx["statuses"]]
    overdue = _("已逾期")
    ctx["district_chart"] = stacked_bars(
        [(d.name or _("未定位到区"), [n for _s, n in d.status_cells], d.overdue) for d in ctx["districts"]],
        series=series,
        title=_("各区在办任务（按状态）"),
        overdue_label=overdue,
    )
    # Streets by open work, largest first: where the backlog is, not the register's order.
    busiest = sorted(ctx["streets"], key=lambda s: (-s.open_total, s.district_code, s.code))
    ctx["street_chart"] = stacked_bars(
        [
            (s.name or _("未定位到街道"), [n for _s, n in s.status_cells], s.overdue)
            for s in busiest
            if s.open_total
        ],
        series=series,
        title=_("各街道在办任务（按状态）"),
        overdue_label=overdue,
    )
    ctx["caps"] = set(capabilities_of(request.user.role))
    return render(request, "enforcement/home_manager.html", ctx)
