"""The ranking as an XLSX workbook (openpyxl): one row per district with every indicator's
numerator, denominator, value, target, weight and score; a sheet of the parameters.
Text goes through enrollment's one `safe_cell` (no cell can start a live formula)."""

from __future__ import annotations

import io
from decimal import Decimal
from fractions import Fraction

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from assessment import parameters, scoring
from assessment.selectors import Params, Period
from enrollment.exports import safe_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _num(x: object) -> object:
    if x is None:
        return None
    if isinstance(x, Fraction):
        return round(x.numerator / x.denominator, 6)
    if isinstance(x, Decimal):
        return float(x)
    return x


def _yes_no(value: bool) -> str:
    return _("是") if value else _("否")


def _indicator_head(ind: parameters.Indicator) -> list[str]:
    label = {"label": ind.label}
    return [
        _("%(label)s·分子") % label,
        _("%(label)s·分母") % label,
        _("%(label)s·值") % label,
        _("%(label)s·目标") % label,
        _("%(label)s·权重") % label,
        _("%(label)s·得分") % label,
        _("%(label)s·说明") % label,
    ]


def ranking_workbook(period: Period, results: list[scoring.DistrictResult], params: Params) -> bytes:
    wb = Workbook()
    ws = wb.create_sheet(_("排名"))
    wb.remove(wb.worksheets[0])  # the default empty sheet
    ws.append(
        [
            _("%(year)s 年度各区全民参保工作考核排名（统计截至 %(as_of)s）")
            % {"year": period.year, "as_of": f"{period.as_of:%Y-%m-%d}"}
        ]
    )
    ws["A1"].font = Font(bold=True, size=13)
    head = [
        _("排名"),
        _("区划代码"),
        _("区"),
        _("综合得分"),
        _("通报表扬"),
        _("低于合格线"),
        _("基金缺口分担比例"),
    ]
    for ind in parameters.INDICATORS:
        head += _indicator_head(ind)
    ws.append(head)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in results:
        row = [
            r.rank,
            r.code,
            safe_cell(r.name),
            _num(r.score),
            _yes_no(r.commended),
            _yes_no(r.below_pass),
            _num(r.fund_gap_share),
        ]
        for ind in parameters.INDICATORS:
            i = r.indicator(ind.code)
            row += [i.numerator, i.denominator, _num(i.value), _num(i.target), _num(i.weight), _num(i.score)]
            row.append(safe_cell(i.note))
        ws.append(row)
    ws.column_dimensions["C"].width = 12

    ps = wb.create_sheet(_("参数"))
    ps.append([_("参数"), _("说明"), _("取值")])
    for name, value in params.items():
        ps.append([name, safe_cell(parameters.label_of(name)), _num(value)])
    ps.column_dimensions["B"].width = 60
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ranking_response(period: Period, results: list[scoring.DistrictResult], params: Params) -> HttpResponse:
    """The workbook as a download named after the year."""
    response = HttpResponse(ranking_workbook(period, results, params), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="assessment-{period.year}.xlsx"'
    return response
