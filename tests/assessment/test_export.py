import datetime as dt
import io

from django.utils import translation
from openpyxl import load_workbook

from tests.assessment.conftest import A, B, C


def test_the_xlsx_export_holds_the_ranking(scenario, client, city_manager):
    client.force_login(city_manager)
    r = client.get("/assessment/export.xlsx?year=2025")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="assessment-2025.xlsx"' in r["Content-Disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["排名"]
    head = [c.value for c in ws[2]]
    assert head[:7] == ["排名", "区划代码", "区", "综合得分", "通报表扬", "低于合格线", "基金缺口分担比例"]
    rows = {ws.cell(row=i, column=2).value: [c.value for c in ws[i]] for i in (3, 4, 5)}
    assert rows[B][:7] == [1, B, "海南区", 100.0, "是", "否", 0.5]
    assert rows[A][:7] == [2, A, "海勃湾区", 58.39, "否", "是", 0.6]
    assert rows[C][:7] == [3, C, "乌达区", 52.17, "否", "是", 0.6]
    col = head.index("工程项目工伤参保率·分子")
    assert rows[A][col : col + 6] == [2, 3, 0.666667, 0.9, 15.0, 74.07]
    params = {row[0].value: row[2].value for row in wb["参数"].iter_rows(min_row=2)}
    assert params["pass_score"] == 80 and params["weight.employer_coverage"] == 25


@translation.override("zh-hans")  # the sheet is looked up by its Chinese name
def test_the_workbook_neutralises_text_that_a_spreadsheet_would_run_as_a_formula(db):
    from assessment import exports, parameters, scoring, selectors

    params = parameters.defaults()
    indicators = [
        scoring.score_indicator(code=ind.code, numerator=1, denominator=2, params=params, missing="=cmd")
        for ind in parameters.INDICATORS
    ]
    result = scoring.DistrictResult(code="150302", name='=HYPERLINK("http://x")', indicators=indicators)
    period = selectors.Period(2025, dt.date(2025, 12, 31))
    wb = load_workbook(io.BytesIO(exports.ranking_workbook(period, [result], params)))
    row = [c.value for c in wb["排名"][3]]
    assert row[2] == '\'=HYPERLINK("http://x")'
    assert all(not str(v).startswith("=") for v in row if v is not None)
