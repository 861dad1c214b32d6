"""The estimator's page and API (the same computation), and the parameters page with its
history. The suite's clock is frozen (tests/clock.py); the examples use birth dates whose
results do not depend on today except where the projection says so."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import timezone

from outreach.models import PensionParameter, PensionParameterChange
from outreach.pension import calculator as calc
from outreach.pension import selectors, services
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ENTERPRISE = {
    "scheme": "enterprise",
    "birth": "1964-12",
    "category": "male",
    "years": "35",
    "indexes": "0.8",
    "balance": "139000",
}
RESIDENTS = {"scheme": "residents", "birth": "1966-05", "tier": "300", "years": "15", "balance": "1000"}


@pytest.fixture
def manager(db):
    return make_user("city_manager")


# --- the page ---------------------------------------------------------------------------


def test_the_page_is_public_and_lists_the_parameters_with_their_flags(client):
    r = client.get("/calculator/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "养老金测算" in body and "开始测算" in body
    assert "计发基数" in body and "待核实" in body  # 8179 is a third party's figure
    assert 'name="category"' in body and 'name="tier"' not in body
    assert "/calculator/parameters/" not in body  # the edit link is for city managers
    body = client.get("/calculator/?scheme=residents").content.decode()
    assert 'name="tier"' in body and 'name="category"' not in body
    assert "城乡居民基础养老金地方提高部分" in body


def test_the_page_shows_the_result_and_every_step(client):
    r = client.get("/calculator/", ENTERPRISE)
    assert r.status_code == 200
    body = r.content.decode()
    assert "3,553.08 元" in body and "2,553.08 元" in body and "1,000.00 元" in body
    for step in ("retirement", "minimum_years", "average_index", "indexed_wage", "basic_pension",
                 "account_balance", "payout_months", "account_pension", "total"):  # fmt: skip
        assert f'data-step="{step}"' in body
    assert "60 岁，2024 年 12 月 退休" in body
    assert "（计发基数 + 本人指数化月平均缴费工资）÷ 2 × 缴费年限 × 1%" in body


def test_the_page_and_the_api_compute_the_same(client):
    page = client.get("/calculator/", RESIDENTS)
    api = client.get("/api/v1/calculator/", RESIDENTS)
    assert page.status_code == api.status_code == 200
    data = api.json()
    assert data["total"] == "205.81" and data["year"] == 2026 and data["eligible"]
    for step in data["steps"]:
        assert step["result"] in page.content.decode()
    assert [s["code"] for s in data["steps"]] == [
        "retirement", "minimum_years", "basic_pension", "account_balance", "account_pension", "total"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"birth": "1964-13"}, "birth", "请按“年-月”填写出生年月"),
        ({"birth": "1949-12"}, "birth", "出生日期不能早于 1950-01-01"),
        ({"years": "45"}, "years", "缴费年限不能超过 16 周岁至退休（领取）年龄之间的 44.00 年"),
        ({"indexes": "1, x"}, "indexes", "第 2 个缴费指数“x”不是数字"),
        ({"indexes": "12"}, "indexes", "不超过 10"),
        ({"balance": "-1"}, "balance", ""),
        ({"balance": ""}, "balance", "请填写个人账户储存额，或填写月缴费基数以推算"),
        ({"category": "x"}, "category", "请选择人员类别"),
    ],
)
def test_bad_input_is_a_400_page_naming_the_field(client, change, field, message):
    r = client.get("/calculator/", ENTERPRISE | change)
    assert r.status_code == 400
    body = r.content.decode()
    assert f'id="err-{field}"' in body
    assert message in body
    assert 'id="result"' not in body


def test_an_unknown_scheme_falls_back_to_the_enterprise_form(client):
    r = client.get("/calculator/?scheme=nonsense")
    assert r.status_code == 200 and 'name="category"' in r.content.decode()


def test_the_page_needs_no_login_and_is_readable_in_english(client):
    client.cookies["django_language"] = "en"
    r = client.get("/calculator/", ENTERPRISE)
    assert r.status_code == 200


# --- the API ----------------------------------------------------------------------------


def test_the_api_returns_every_step_with_its_numbers(client):
    r = client.get("/api/v1/calculator/", ENTERPRISE)
    assert r.status_code == 200
    data = r.json()
    assert data["total"] == "3553.08"
    steps = {s["code"]: s for s in data["steps"]}
    assert steps["basic_pension"]["value"] == "2553.0800"
    assert steps["basic_pension"]["unverified"] is True
    c = steps["basic_pension"]["inputs"][0]
    assert c["value"] == "8105" and c["unverified"] is True and c["carried"] is False
    assert [p["name"] for p in data["flagged_parameters"]] == ["calc_base"]


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({"scheme": "enterprise", "birth": "1980-01", "years": "10"}, {"category", "indexes"}),
        ({"scheme": "residents", "birth": "1980-01", "years": "10"}, {"tier"}),
        ({"scheme": "other", "birth": "1980-01", "years": "10"}, {"scheme"}),
        (ENTERPRISE | {"years": "0"}, {"years"}),
        (ENTERPRISE | {"years": "44.5"}, {"years"}),
        (ENTERPRISE | {"balance": "-0.01"}, {"balance"}),
        (ENTERPRISE | {"birth": "2030-01-01"}, {"birth"}),
        (ENTERPRISE | {"indexes": ""}, {"indexes"}),
        (ENTERPRISE | {"indexes": "0"}, {"indexes"}),
        (RESIDENTS | {"tier": "250"}, {"tier"}),
        (RESIDENTS | {"years": "44.01"}, {"years"}),
    ],
)
def test_the_api_says_which_parameter_is_wrong(client, query, fields):
    r = client.get("/api/v1/calculator/", query)
    assert r.status_code == 400
    body = r.json()
    assert set(body) == fields
    assert all(isinstance(m, list) and m and all(isinstance(x, str) for x in m) for m in body.values())


def test_the_api_with_a_bad_key_is_401(client):
    r = client.get("/api/v1/calculator/", ENTERPRISE, HTTP_AUTHORIZATION="Token nope")
    assert r.status_code == 401


def test_the_api_is_documented_as_public_with_its_errors():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    op = schema["paths"]["/api/v1/calculator/"]["get"]
    assert {"200", "400", "401", "403", "429", "503"} <= set(op["responses"])
    assert {} in op["security"]
    names = {p["name"] for p in op["parameters"]}
    assert {"scheme", "birth", "category", "years", "indexes", "balance", "monthly_base", "tier"} <= names


# --- the parameters and their history ---------------------------------------------------


def test_the_fixture_is_loaded_on_first_use_once():
    assert not PensionParameter.objects.exists()
    rows = selectors.pension_rows()
    assert len(rows) == PensionParameter.objects.count() > 40
    assert selectors.seed_load() == 0  # nothing twice
    base = PensionParameter.objects.get(name=calc.CALC_BASE, from_year=2025)
    assert (base.value, base.unverified) == (D(8179), True)
    assert "liubigfatty" in base.source


def test_a_city_manager_edits_a_parameter_with_history(client, manager):
    client.force_login(manager)
    assert "/calculator/parameters/" in client.get("/calculator/").content.decode()
    assert client.get("/calculator/parameters/").status_code == 200
    r = client.post(
        "/calculator/parameters/",
        {
            "name": "calc_base",
            "from_year": "2024",
            "value": "8200",
            "unverified": "",
            "reason": "自治区人社厅通知",
        },
    )
    assert r.status_code == 302
    row = PensionParameter.objects.get(name="calc_base", from_year=2024)
    assert (row.value, row.unverified, row.updated_by) == (D(8200), False, manager)
    change = PensionParameterChange.objects.get()
    assert (change.old_value, change.new_value, change.old_unverified, change.new_unverified) == (
        D(8105), D(8200), True, False
    )  # fmt: skip
    assert (change.changed_by, change.reason) == (manager, "自治区人社厅通知")
    assert abs((timezone.now() - change.changed_at).total_seconds()) < 60
    page = client.get("/calculator/parameters/").content.decode()
    assert "自治区人社厅通知" in page and "8105" in page
    # The estimator uses it: (8200 + 6560) / 2 × 35 % = 2583.00; no longer flagged.
    data = client.get("/api/v1/calculator/", ENTERPRISE).json()
    assert {s["code"]: s for s in data["steps"]}["basic_pension"]["value"] == "2583.0000"
    assert data["flagged_parameters"] == []


def test_a_new_year_adds_a_row_and_is_used_from_that_year(manager):
    change = services.parameter_set(
        actor=manager, name="calc_base", from_year=2026, value=D(8300), unverified=True, reason="预估"
    )
    assert change is not None and change.old_value is None
    params = calc.parameters_for(selectors.pension_rows(), 2027)
    assert params.value(calc.CALC_BASE) == D(8300) and params[calc.CALC_BASE].carried
    assert (
        services.parameter_set(
            actor=manager, name="calc_base", from_year=2026, value=D(8300), unverified=True, reason="再次"
        )
        is None
    )  # nothing changed, no history row
    assert PensionParameterChange.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"name": "nope"}, {"name"}),
        ({"from_year": 1999}, {"from_year"}),
        ({"value": D(-1)}, {"value"}),
        ({"name": "basic_rate", "value": D("1.5")}, {"value"}),
        ({"name": "payout_months.60", "value": D(0)}, {"value"}),
        ({"reason": "  "}, {"reason"}),
    ],
)
def test_a_bad_parameter_change_is_refused_and_writes_nothing(manager, fields, errors):
    args = {
        "name": "calc_base",
        "from_year": 2025,
        "value": D(8000),
        "unverified": False,
        "reason": "x",
    } | fields
    with pytest.raises(services.ParameterError) as e:
        services.parameter_set(actor=manager, **args)
    assert set(e.value.errors) == errors
    assert not PensionParameterChange.objects.exists()


def test_the_parameters_page_refuses_a_bad_form_with_a_400(client, manager):
    client.force_login(manager)
    r = client.post("/calculator/parameters/", {"name": "calc_base", "from_year": "2025", "value": "-3"})
    assert r.status_code == 400
    assert not PensionParameterChange.objects.exists()


@pytest.mark.parametrize("role", ["district_caseworker", "inspector"])
def test_only_city_managers_see_the_parameters_page(client, role):
    user = make_user(role, district="150302") if role == "district_caseworker" else make_user(role)
    client.force_login(user)
    assert client.get("/calculator/parameters/").status_code == 403


def test_flexible_retirement_on_the_page_and_in_the_api(client):
    query = ENTERPRISE | {"shift_months": "36"}  # born 1964-12: 60 → 63, 139,000 ÷ 117
    page = client.get("/calculator/", query).content.decode()
    assert "退休年龄（弹性退休）" in page and "推迟 36 个月" in page and "1,188.03 元" in page
    data = client.get("/api/v1/calculator/", query).json()
    assert {s["code"]: s for s in data["steps"]}["account_pension"]["value"] == "1188.0300"
    r = client.get("/api/v1/calculator/", ENTERPRISE | {"shift_months": "-1"})
    assert r.status_code == 400 and "最多可提前 0 个月退休" in r.json()["shift_months"][0]
    r = client.get("/api/v1/calculator/", ENTERPRISE | {"shift_months": "37"})
    assert r.status_code == 400 and set(r.json()) == {"shift_months"}
    r = client.get("/calculator/", ENTERPRISE | {"shift_months": "-1"})
    assert r.status_code == 400 and 'id="err-shift_months"' in r.content.decode()
