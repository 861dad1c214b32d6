"""How the pages show the assessment's rows: the drill-down's table (personal values
through the one masking module, codes as their labels) and the trend chart per district."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment import charts, parameters, scoring
from assessment.selectors import Params, Period, Trend
from wuhai_coverage.core import labels, privacy

# The label of an indicator's row key, by what the indicator counts.
KEY_LABELS = {
    "employer": gettext_lazy("统一社会信用代码"),
    "project": gettext_lazy("项目编号"),
    "person": gettext_lazy("身份证号"),
    "task": gettext_lazy("任务编号"),
    "community": gettext_lazy("所属区"),
}
# Extra columns holding enum values → their vocabulary in the label registry.
VOCABULARIES = {
    "kind": "enforcement.Task.kind",
    "status": "enforcement.Task.status",
    "resolution": "enforcement.Task.resolution",
    "scheme": "enrollment.Enrollment.scheme",
    "pension_status": "enrollment.Enrollment.status",
}
TASK_ALIASES = ("kind", "status", "resolution")


def cell_show(code: str, alias: str, value: Any, row: dict[str, Any]) -> Any:
    """One extra column's value as the drill-down shows it."""
    # A birth date beside a masked ID shows its year only; a person task's key is an ID number.
    if alias == "birth_date":
        return privacy.birth_year(value)
    if alias == "subject_key":
        return privacy.mask_subject_key(row.get("subject_type") or "person", value)
    if isinstance(value, bool) or alias == "hit":
        return _("是") if value else _("否")
    if (
        alias in VOCABULARIES
        and value
        and (alias not in TASK_ALIASES or code == parameters.TASK_CLOSURE_RATE)
    ):
        return labels.choice(value, VOCABULARIES[alias])
    if alias in labels.PERIOD_FIELDS:
        return labels.period(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if value is None:
        return ""
    return value


def _key_shown(ind: parameters.Indicator, key: Any) -> Any:
    """A row's key as shown: an ID number masked; a community (its name is the next column)
    by its district."""
    if ind.subject == "person":
        return privacy.mask_id_number(key)
    if ind.subject == "community":
        return labels.region_name(str(key)[:6])
    return key


def rows_table(
    ind: parameters.Indicator, columns: tuple[tuple[str, parameters.Label], ...], rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The drill-down's rows: the key (an ID number masked; a task linked), name, street, cells."""
    table = []
    for r in rows:
        key = r["key"]
        table.append(
            {
                "key": _key_shown(ind, key),
                "link": f"/tasks/{key}/" if ind.subject == "task" else "",
                "name": r["name"],
                "street": labels.region_name(r.get("street_code")) if r.get("street_code") else "",
                "cells": [cell_show(ind.code, alias, r.get(alias), r) for alias, _label in columns],
            }
        )
    return table


def trend_charts(
    results: list[scoring.DistrictResult], series: Trend, *, period: Period, params: Params
) -> list[tuple[scoring.DistrictResult, SafeString]]:
    """Each district's monthly trend chart, in ranking order (as `results`); in the current year this
    month's live score joins the stored month-ends."""
    this_year = period.year == timezone.localdate().year
    charts_ = []
    for r in results:  # ranked (scoring.rank_districts): the charts read like the table
        points = [(day.month, score) for day, score in series.get(r.code, [])]
        if this_year and period.as_of.month not in {month for month, _score in points}:
            points.append((period.as_of.month, r.score))  # this month, live
        chart = charts.trend_chart(points, pass_score=params[parameters.PASS_SCORE], label=r.name)
        charts_.append((r, chart))
    return charts_
