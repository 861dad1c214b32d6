"""Pages for bureau staff: deliveries, a batch and its report (and XLSX), the calendar."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from enrollment import services
from tests.enrollment.factories import roster_csv, valid_row
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch():
    partner = make_user("partner", department="market", username="scjg-api")
    rows = [
        valid_row("market_entities", name='=HYPERLINK("http://evil.example","点我")'),
        valid_row("market_entities", established_on="=1+1"),
        valid_row("market_entities", name="<script>alert('x')</script>", phone="-123"),
    ]
    batch, _ = services.roster_push(
        user=partner,
        kind="market_entities",
        snapshot_date=dt.date(2026, 11, 20),
        upload=SimpleUploadedFile("市场主体.csv", roster_csv("market_entities", rows)),
    )
    return batch


@pytest.mark.parametrize("url", ["/rosters/", "/rosters/calendar/"])
def test_pages_need_view_rosters(client, url):
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(make_user("partner", department="market"))
    assert client.get(url).status_code == 403
    client.force_login(make_user("street_staff", street="150302001"))
    assert client.get(url).status_code == 403


def test_deliveries_show_each_department_and_kind(client, batch):
    client.force_login(make_user("city_manager"))
    page = client.get("/rosters/").content.decode()
    for label in (
        "市场监管局",
        "人社局业务系统",
        "市场主体登记名册",
        "参保人员名册",
        "尚未报送",
        "scjg-api",
        "2026-11-20",
    ):
        assert label in page
    assert f"/rosters/{batch.pk}/" in page
    assert client.get("/rosters/?kind=tax_payroll").status_code == 200


def test_batch_page_shows_the_report_escaped(client, batch):
    client.force_login(make_user("district_caseworker", district="150302"))
    page = client.get(f"/rosters/{batch.pk}/").content.decode()
    assert "invalid_date" in page and "invalid_phone" in page and "错误报告" in page
    assert "<script>alert" not in page
    assert client.get(f"/rosters/{batch.pk}/?severity=warning").status_code == 200
    assert client.get("/rosters/999999/").status_code == 404


def test_progress_fragment_for_htmx(client, batch):
    client.force_login(make_user("city_manager"))
    fragment = client.get(f"/rosters/{batch.pk}/?fragment=progress", HTTP_HX_REQUEST="true").content.decode()
    assert "已入库" in fragment and "<html" not in fragment


def test_error_report_download_neutralises_formulas(client, batch):
    client.force_login(make_user("city_manager"))
    response = client.get(f"/rosters/{batch.pk}/errors.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb.active
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert "invalid_date" in values and "invalid_phone" in values
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in values)
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_calendar_marks_months_with_a_loaded_snapshot(client, batch):
    client.force_login(make_user("city_manager"))
    response = client.get("/rosters/calendar/")
    page = response.content.decode()
    assert "报送日历" in page and "市场主体登记名册" in page
    months = response.context["calendar"]["months"]
    market = next(d for d in response.context["calendar"]["departments"] if d["department"] == "market")
    ticks = dict(zip(months, market["rows"][0]["months"], strict=True))
    assert ticks.get(dt.date(2026, 11, 1), 0) in (0, 1)  # today decides which months show
    from enrollment.selectors import delivery_calendar_get

    cal = delivery_calendar_get(user=make_user("city_manager"), today=dt.date(2026, 12, 5), months=3)
    assert cal["months"] == [dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)]
    market = next(d for d in cal["departments"] if d["department"] == "market")
    assert market["rows"][0]["months"] == [0, 1, 0]


def test_deliveries_filter_by_kind_and_department_and_refuse_unknown_values(client, batch):
    client.force_login(make_user("city_manager"))
    assert (
        f"/rosters/{batch.pk}/"
        in client.get("/rosters/?kind=market_entities&department=market").content.decode()
    )
    other = client.get("/rosters/?kind=tax_payroll").content.decode()
    assert "市场主体.csv" not in other
    assert "市场主体.csv" in client.get("/rosters/?kind=&department=").content.decode()  # empty: no filter
    bad = client.get("/rosters/?kind=nope")
    assert bad.status_code == 400 and 'role="alert"' in bad.content.decode()
    assert "市场主体.csv" in bad.content.decode()  # the unfiltered list, with the message


@pytest.mark.parametrize(
    "snapshot,today,late",
    [
        (dt.date(2026, 11, 1), dt.date(2026, 12, 31), 0),  # last month's snapshot: on time all month
        (dt.date(2026, 12, 1), dt.date(2026, 12, 1), 0),
        (dt.date(2026, 10, 31), dt.date(2026, 12, 1), 1),  # October's, on 1 December: one month late
        (dt.date(2026, 1, 15), dt.date(2026, 12, 1), 10),
        (None, dt.date(2026, 12, 1), None),  # never delivered
    ],
)
def test_months_late_of_a_monthly_roster_at_the_month_boundary(snapshot, today, late):
    from enrollment.selectors import months_late

    assert months_late(snapshot_date=snapshot, today=today) == late


def test_the_rosters_overview_is_one_table_of_department_by_kind_with_late_flags(client):
    import re

    from django.utils import timezone

    from enrollment.models import KIND_DEPARTMENT

    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    too_old = (last_month - dt.timedelta(days=1)).replace(day=1)  # two months back: late by one
    market = make_user("partner", department="market", username="scjg-api")
    on_time, _ = services.roster_push(
        user=market,
        kind="market_entities",
        snapshot_date=last_month,
        upload=SimpleUploadedFile("m.csv", roster_csv("market_entities", [valid_row("market_entities")])),
    )
    housing = make_user("partner", department="housing", username="zjj-api")
    services.roster_push(
        user=housing,
        kind="construction_projects",
        snapshot_date=too_old,
        upload=SimpleUploadedFile(
            "c.csv", roster_csv("construction_projects", [valid_row("construction_projects")])
        ),
    )
    client.force_login(make_user("city_manager"))
    page = client.get("/rosters/").content.decode()
    matrix = page[page.index('<table class="list rosters-matrix">') :]
    matrix = matrix[: matrix.index("</table>")]
    assert len(re.findall(r'<tr class="(?:late)?">', matrix)) == len(KIND_DEPARTMENT)  # one row per kind
    assert page.count("<table") == 2  # the matrix and the recent batches: not one table per department
    assert matrix.count('scope="rowgroup"') == len(set(KIND_DEPARTMENT.values()))

    def row(label):
        part = matrix[matrix.index(label) :]
        return part[: part.index("</tr>")]

    assert f"/rosters/{on_time.pk}/" in row("市场主体登记名册") and "按时" in row("市场主体登记名册")
    assert last_month.strftime("%Y-%m-%d") in row("市场主体登记名册")
    assert "逾期 1 个月" in row("在建工程项目名册")
    assert "尚未报送" in row("个税代扣代缴名册") and "从未入库" in row("个税代扣代缴名册")
