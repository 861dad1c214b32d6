"""A home for each role (/dashboard/, where `/` sends a signed-in user): the inspector's
cases and blacklist work, the managers' city overview per district and per street, the
caseworker's dashboard, street staff sent on to their street's list, the partner's
deliveries, problems, due months and own API keys. Each home is held to a query budget
that does not grow with the data."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from enforcement import selectors_homes
from enforcement.models import BlacklistEntry, EnforcementCase
from enrollment.models import RosterBatch, RosterIssue
from enrollment.selectors import partner_home_get
from tests.enforcement.blacklist.conftest import Lifecycle, make_case
from tests.factories import (
    AssignedTaskFactory,
    ClosedTaskFactory,
    DismissedTaskFactory,
    OpenTaskFactory,
    OverdueTaskFactory,
    make_user,
)
from wuhai_coverage.core.models import ApiToken, Street
from wuhai_coverage.core.services import api_token_issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher", "fast_pdf")]


def signed_in(client, user):
    client.force_login(user)
    return client


def home_of(client, user) -> str:
    response = signed_in(client, user).get("/dashboard/")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def h1(page: str) -> str:
    match = re.search(r"<h1>(.*?)</h1>", page, re.S)
    assert match, "no <h1>"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


# --- Every role lands on its own page ------------------------------------------------------


@pytest.mark.parametrize(
    "role, kwargs, heading",
    [
        ("city_manager", {}, "全市概况"),
        ("inspector", {}, "我的执法工作"),
        ("district_caseworker", {"district": "150302"}, "工作台"),
        ("partner", {"department": "market"}, "市场监管局 · 名册报送"),
    ],
)
def test_given_a_role_when_it_opens_the_root_then_it_lands_on_its_own_home(client, role, kwargs, heading):
    user = make_user(role, **kwargs)
    signed_in(client, user)
    response = client.get("/", follow=True)
    assert response.redirect_chain == [("/dashboard/", 302)]
    assert response.status_code == 200
    page = response.content.decode()
    assert h1(page) == heading
    assert "您的角色不处理核查任务" not in page


def test_given_street_staff_when_they_open_the_root_then_they_land_on_their_street_list(client):
    staff = make_user("street_staff", street="150302001")
    response = signed_in(client, staff).get("/", follow=True)
    assert response.redirect_chain == [("/dashboard/", 302), ("/tasks/street/", 302)]
    assert response.status_code == 200


# --- Managers: the city overview --------------------------------------------------------


def test_city_overview_counts_per_district_and_street(city_manager):
    OpenTaskFactory.create_batch(2, district_id="150302", street_id="150302001")
    AssignedTaskFactory(district_id="150302", street_id="150302002")
    OverdueTaskFactory(district_id="150304", street_id="150304002")
    ClosedTaskFactory(district_id="150302", street_id="150302001", resolution="rectified")
    ClosedTaskFactory(district_id="150302", street_id="150302001")  # resolved_by_data
    DismissedTaskFactory(district_id="150302", street_id="150302002")
    last_month = timezone.now() - dt.timedelta(days=40)
    ClosedTaskFactory(district_id="150302", street_id="150302001", closed_at=last_month)  # not this month
    OpenTaskFactory(district_id="150302", street_id=None)  # no street: its own row

    data = selectors_homes.city_overview_get(user=city_manager)
    districts = {d.code: d for d in data["districts"]}
    haibowan = districts["150302"]
    assert haibowan.by_status == {"open": 3, "assigned": 1}
    assert (haibowan.open_total, haibowan.overdue, haibowan.closed_month) == (4, 0, 3)
    assert (haibowan.rectified, haibowan.resolved_by_data, haibowan.dismissed) == (1, 1, 1)
    assert haibowan.enrolled_share == 67
    assert (districts["150304"].open_total, districts["150304"].overdue) == (1, 1)
    streets = {(s.district_code, s.code): s for s in data["streets"]}
    assert streets[("150302", "150302001")].open_total == 2
    assert streets[("150302", "150302001")].enrolled_month == 2
    assert streets[("150302", "150302002")].dismissed == 1
    assert streets[("150302", "")].open_total == 1  # the task without a street
    # Every street of every district is listed, with zeros where nothing is open.
    assert {code for _, code in streets} >= set(Street.objects.values_list("code", flat=True))
    assert data["total"].open_total == 5 and data["total"].closed_month == 3


def test_manager_home_shows_both_tables_and_charts(client, city_manager):
    OpenTaskFactory(district_id="150302", street_id="150302001")
    OverdueTaskFactory(
        district_id="150303", street_id=Street.objects.filter(district_id="150303").first().code
    )
    page = home_of(client, city_manager)
    assert page.count('<svg class="chart"') == 2
    assert "各区" in page and "各街道" in page and "海勃湾区" in page
    assert "凤凰岭街道" in page and "?street=150302001" in page and "?district=150302" in page
    assert "本月办结" in page and "其中已参保" in page


def test_manager_home_query_budget(client, city_manager, django_assert_max_num_queries):
    for street in Street.objects.all()[:6]:
        OpenTaskFactory.create_batch(3, district_id=street.district_id, street_id=street.code)
        ClosedTaskFactory(district_id=street.district_id, street_id=street.code)
    signed_in(client, city_manager)
    with django_assert_max_num_queries(8):  # session, user, the grouped pass, districts, streets
        assert client.get("/dashboard/").status_code == 200


# --- Inspectors: their cases and the blacklist work -------------------------------------


@pytest.fixture
def inspector_world(inspector, city_manager):
    life = Lifecycle(inspector, city_manager)
    other = make_user("inspector")
    Status = EnforcementCase.Status
    today = timezone.localdate()
    world = {
        "mine": make_case(
            inspector, status=Status.AUDITING, employer_name="乌海市甲煤业有限公司", inspector=inspector
        ),
        "others": make_case(
            other, status=Status.AUDITING, employer_name="乌海市他人案件有限公司", inspector=other
        ),
        "unassigned": make_case(inspector, status=Status.OPEN, employer_name="乌海市待认领有限公司"),
        "awaiting": make_case(
            inspector,
            status=Status.ORDER_ISSUED,
            order_deadline=today + dt.timedelta(days=5),
            employer_name="乌海市整改中有限公司",
        ),
        "ready": make_case(inspector, employer_name="乌海市逾期未改有限公司"),
        "proposed": life.proposed(employer_name="乌海市拟列入有限公司"),
        "notified": life.notified(employer_name="乌海市陈述期有限公司"),
        "review": life.under_review(employer_name="乌海市待审核有限公司"),
    }
    BlacklistEntry.objects.filter(pk=world["notified"].pk).update(
        statement_deadline=today - dt.timedelta(days=1)
    )
    return world


def test_inspector_home_lists_cases_and_blacklist_work(client, inspector, inspector_world):
    page = home_of(client, inspector)
    w = inspector_world
    for key in ("mine", "unassigned", "awaiting", "ready"):
        assert f"/cases/{w[key].pk}/" in page, key
    assert "乌海市他人案件有限公司" not in page  # another inspector's case in work: not mine, not unassigned
    for key in ("proposed", "notified", "review"):
        assert f"/blacklist/manage/{w[key].pk}/" in page, key
    assert "已届满，可提交审核" in page  # the statement period is over
    assert "?tab=awaiting_review" in page


def test_inspector_home_query_budget(client, inspector, inspector_world, django_assert_max_num_queries):
    signed_in(client, inspector)
    with django_assert_max_num_queries(14):
        assert client.get("/dashboard/").status_code == 200
    # Twice the cases and entries: the same number of queries.
    Lifecycle(inspector, make_user("city_manager")).under_review(employer_name="乌海市又一家有限公司")
    make_case(inspector, status=EnforcementCase.Status.AUDITING, inspector=inspector)
    with django_assert_max_num_queries(14):
        assert client.get("/dashboard/").status_code == 200


# --- District caseworkers keep their dashboard --------------------------------------------


def test_caseworker_dashboard_query_budget(client, caseworker, django_assert_max_num_queries):
    OpenTaskFactory.create_batch(5)
    OverdueTaskFactory.create_batch(3)
    signed_in(client, caseworker)
    with django_assert_max_num_queries(12):
        page = client.get("/dashboard/").content.decode()
    assert "工作台" in page and "按类型与状态" in page


# --- Partners: their deliveries, problems, calendar and keys --------------------------------


def _batch(department: str, kind: str, status: str, *, days_ago: int = 0, **fields) -> RosterBatch:
    today = timezone.localdate()
    return RosterBatch.objects.create(
        kind=kind,
        department=department,
        snapshot_date=fields.pop("snapshot_date", today - dt.timedelta(days=days_ago)),
        sha256=f"{RosterBatch.objects.count():064d}",
        status=status,
        **fields,
    )


@pytest.fixture
def partner_world(partner_market):
    today = timezone.localdate()
    loaded = _batch("market", "market_entities", "loaded", rows_total=10, rows_loaded=8, rows_rejected=2)
    RosterIssue.objects.bulk_create(
        [
            RosterIssue(
                batch=loaded,
                row=3,
                column="uscc",
                code="bad_uscc",
                message="统一社会信用代码校验位错误",
                severity="error",
            ),
            RosterIssue(
                batch=loaded,
                row=7,
                column="uscc",
                code="bad_uscc",
                message="统一社会信用代码校验位错误",
                severity="error",
            ),
            RosterIssue(
                batch=loaded,
                row=5,
                column="phone",
                code="bad_phone",
                message="电话号码格式不对，已忽略",
                severity="warning",
            ),
        ]
    )
    rejected = _batch(
        "market",
        "market_entities",
        "rejected",
        message="缺少必填列：统一社会信用代码（uscc）",
        snapshot_date=today,
    )
    other = _batch("tax", "tax_payroll", "rejected", message="税务部门的退回原因")
    return {"loaded": loaded, "rejected": rejected, "other": other}


def test_partner_home_shows_own_deliveries_with_their_problems(client, partner_market, partner_world):
    page = home_of(client, partner_market)
    w = partner_world
    assert f"/rosters/{w['rejected'].pk}/" in page and "缺少必填列：统一社会信用代码（uscc）" in page
    assert f"/rosters/{w['loaded'].pk}/" in page and "统一社会信用代码校验位错误" in page
    assert "电话号码格式不对" not in page  # warnings are on the batch page, not among the rejections
    assert "税务部门的退回原因" not in page and f"/rosters/{w['other'].pk}/" not in page
    assert "/api/v1/docs/" in page and "Authorization: Token" in page and "/api/v1/rosters/" in page
    assert "签发新令牌" in page


def test_partner_home_says_what_is_due_and_late(partner_market, partner_world):
    data = partner_home_get(user=partner_market)
    (row,) = data["kinds"]
    assert row["kind"] == "market_entities" and row["this_month"] is True  # loaded this month
    assert row["last_month"] is False and [r["kind"] for r in data["late"]] == ["market_entities"]
    assert data["due"] == []
    (first,) = [b for b in data["recent"] if b.pk == partner_world["loaded"].pk]
    assert [(p["code"], p["n"], p["first_row"]) for p in first.problems] == [("bad_uscc", 2, 3)]


def test_partner_home_query_budget(client, partner_market, partner_world, django_assert_max_num_queries):
    signed_in(client, partner_market)
    api_token_issue(username=partner_market.username)
    with django_assert_max_num_queries(12):
        assert client.get("/dashboard/").status_code == 200
    for _ in range(8):
        _batch("market", "market_entities", "rejected", message="again")
    with django_assert_max_num_queries(12):
        assert client.get("/dashboard/").status_code == 200


def test_partner_opens_its_own_batch_page_but_not_another_departments(client, partner_market, partner_world):
    signed_in(client, partner_market)
    page = client.get(f"/rosters/{partner_world['loaded'].pk}/").content.decode()
    assert "统一社会信用代码校验位错误" in page and 'href="/"' in page
    assert client.get(f"/rosters/{partner_world['loaded'].pk}/errors.xlsx").status_code == 200
    assert client.get(f"/rosters/{partner_world['other'].pk}/").status_code == 404
    assert client.get("/rosters/").status_code == 403  # the bureau's overview stays staff-only
    assert client.get("/tasks/").status_code == 403


def test_partner_issues_a_key_seen_once_and_revokes_it(client, partner_market):
    signed_in(client, partner_market)
    response = client.post("/accounts/my-tokens/issue/")
    assert response.status_code == 200
    key = re.search(r'<code class="token-key">([^<]+)</code>', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=partner_market)
    assert key.startswith(token.prefix) and token.is_active
    home = client.get("/dashboard/").content.decode()
    assert f"{token.prefix}…" in home and key not in home  # listed by prefix, never in full again
    # The key works on the API.
    assert client.get("/api/v1/rosters/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    response = client.post(f"/accounts/my-tokens/{token.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == partner_market


def test_a_partner_cannot_revoke_another_accounts_key(client, partner_market):
    tax = make_user("partner", department="tax")
    api_token_issue(username=tax.username)
    token = ApiToken.objects.get(user=tax)
    signed_in(client, partner_market)
    assert client.post(f"/accounts/my-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_staff_cannot_issue_themselves_a_key_from_the_web(client, caseworker):
    signed_in(client, caseworker)
    assert client.post("/accounts/my-tokens/issue/").status_code == 403
    assert not ApiToken.objects.filter(user=caseworker).exists()


def test_the_stacked_bar_chart_escapes_labels_and_prints_totals_and_a_round_axis():
    from enforcement.charts import stacked_bars

    svg = str(
        stacked_bars(
            [("<b>甲街道</b>", [3, 0, 1, 0, 0], 2), ("乙街道", [0, 0, 0, 0, 0], 0)],
            series=["待处理", "已分派", "已联系", "已发告知书", "已移交执法"],
            title="各街道在办任务（按状态）",
            overdue_label="已逾期",
        )
    )
    assert "<b>" not in svg and "&lt;b&gt;甲街道&lt;/b&gt;" in svg
    assert svg.count("<rect") == 6 + 2 + 1  # legend swatches, two non-empty segments, one overdue tick
    assert ">4</text>" in svg and ">0</text>" in svg  # each bar's total
    ticks = re.findall(r'text-anchor="middle" fill="#1f2933">([\d,]+)</text>', svg)
    assert ticks == ["0", "1", "2", "3", "4", "5"]  # the axis ends on a round 5, not on 4
