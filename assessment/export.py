"""The ranking as an XLSX workbook (openpyxl): one row per district with every indicator's
numerator, denominator, value, target, weight and score; a sheet of the parameters."""

from __future__ import annotations

import io
from decimal import Decimal
from fractions import Fraction

from openpyxl import Workbook
from openpyxl.styles import Font

from assessment import parameters as P
from assessment import scoring


def _num(x):
    if x is None:
        return None
    if isinstance(x, Fraction):
        return round(x.numerator / x.denominator, 6)
    if isinstance(x, Decimal):
        return float(x)
    return x


def ranking_workbook(period, results: list[scoring.DistrictResult], params: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "排名 Ranking"
    ws.append([f"{period.year} 年度各区全民参保工作考核排名（统计截至 {period.as_of:%Y-%m-%d}）"])
    ws["A1"].font = Font(bold=True, size=13)
    head = ["排名", "区划代码", "区", "综合得分", "通报表扬", "低于合格线", "基金缺口分担比例"]
    for ind in P.INDICATORS:
        head += [
            f"{ind.label}·分子",
            f"{ind.label}·分母",
            f"{ind.label}·值",
            f"{ind.label}·目标",
            f"{ind.label}·权重",
            f"{ind.label}·得分",
            f"{ind.label}·说明",
        ]
    ws.append(head)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in results:
        row = [
            r.rank,
            r.code,
            r.name,
            _num(r.score),
            "是" if r.commended else "否",
            "是" if r.below_pass else "否",
            _num(r.fund_gap_share),
        ]
        for ind in P.INDICATORS:
            i = r.indicator(ind.code)
            row += [
                i.numerator,
                i.denominator,
                _num(i.value),
                _num(i.target),
                _num(i.weight),
                _num(i.score),
                i.note,
            ]
        ws.append(row)
    ws.column_dimensions["C"].width = 12

    ps = wb.create_sheet("参数 Parameters")
    ps.append(["参数", "说明", "取值"])
    for name, value in params.items():
        ps.append([name, P.label_of(name), _num(value)])
    ps.column_dimensions["B"].width = 60
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
