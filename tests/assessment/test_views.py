import pytest

from tests.assessment.conftest import A, B, C
from tests.factories import make_user


@pytest.fixture
def logged(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.mark.parametrize(
    "role,kw,status",
    [
        ("city_manager", {}, 200),
        ("district_caseworker", {"district": "150304"}, 200),  # the ranking is public within the bureau
        ("street_staff", {"street": "150302001"}, 403),
        ("inspector", {}, 403),
        ("partner", {"department": "market"}, 403),
    ],
)
def test_who_sees_the_ranking(db, logged, role, kw, status):
    assert logged(make_user(role, **kw)).get("/assessment/").status_code == status


def test_the_ranking_page_shows_table_bar_chart_trends_and_departments(scenario, logged, city_manager):
    body = logged(city_manager).get("/assessment/?year=2025").content.decode()
    assert "58.39" in body and "52.17" in body and "100.00" in body
    assert "通报表扬" in body
    assert body.count("<svg") == 4  # one bar chart + a trend per district
    assert "http://" not in body.replace("http://www.w3.org/2000/svg", "")  # no external asset
    assert "部门考核" in body and "市场主体登记名册" in body


def test_a_bad_year_is_a_400_page(db, logged, city_manager):
    c = logged(city_manager)
    for bad in ("abc", "3000", "1999"):
        r = c.get(f"/assessment/?year={bad}")
        assert r.status_code == 400 and "年度" in r.content.decode()
    assert c.get("/assessment/districts/150302/?year=x").status_code == 400
    assert c.get("/assessment/export.xlsx?year=x").status_code == 400


def test_the_district_page_shows_how_each_score_was_computed_with_links_to_rows(
    scenario, logged, city_manager
):
    body = logged(city_manager).get(f"/assessment/districts/{A}/?year=2025").content.decode()
    assert "100 × min(1, 0.6667 / 0.9000) = 74.07" in body
    assert "100 × 上年 0.2000 / 本年 0.2500 = 80.00" in body
    assert f"/assessment/districts/{A}/employer_coverage/?year=2025&amp;subset=numerator" in body
    assert "(25×75.00 + 15×74.07 + 15×50.00 + 15×80.00 + 15×55.56 + 15×4.65) / 100 = 58.39" in body


def test_a_caseworker_sees_another_districts_numbers_but_not_its_rows(scenario, logged):
    c = logged(make_user("district_caseworker", district=B))
    body = c.get(f"/assessment/districts/{A}/?year=2025").content.decode()
    assert "58.39" in body and f"/assessment/districts/{A}/employer_coverage/" not in body
    assert c.get(f"/assessment/districts/{A}/employer_coverage/?year=2025").status_code == 404
    assert c.get(f"/assessment/districts/{B}/employer_coverage/?year=2025").status_code == 200


def test_drill_down_lists_the_rows_with_masked_ids(scenario, logged, city_manager):
    c = logged(city_manager)
    body = c.get(f"/assessment/districts/{A}/subsidized_coverage/?year=2025&subset=all").content.decode()
    s1, s2 = scenario["subsidized"]
    assert "共 2 条" in body
    assert s1 not in body and s1[:6] + "********" + s1[-4:] in body
    body = c.get(f"/assessment/districts/{A}/employer_coverage/?year=2025&subset=gap").content.decode()
    assert scenario["a_required"][3] in body and "共 1 条" in body
    body = c.get(f"/assessment/districts/{A}/task_closure_rate/?year=2025&subset=numerator").content.decode()
    assert "共 3 条" in body and 'href="/tasks/' in body
    body = c.get(f"/assessment/districts/{C}/publicity_coverage/?year=2025&subset=numerator").content.decode()
    assert "共 12 条" in body


def test_drill_down_bad_input(scenario, logged, city_manager):
    c = logged(city_manager)
    assert c.get(f"/assessment/districts/{A}/nonsense/?year=2025").status_code == 404
    assert c.get("/assessment/districts/999999/employer_coverage/?year=2025").status_code == 404
    assert c.get(f"/assessment/districts/{A}/employer_coverage/?year=2025&subset=x").status_code == 400
    assert c.get(f"/assessment/districts/{A}/employer_coverage/?year=2025&page=x").status_code == 400


def test_a_city_manager_changes_a_weight_and_the_ranking_changes(scenario, logged, city_manager):
    from assessment.models import AssessmentParameterChange

    c = logged(city_manager)
    form = c.get("/assessment/settings/").context["form"]
    data = {name: str(form.initial[name]) for name in form.fields if name != "reason"}
    data["weight.publicity_coverage"] = "100"
    data["reason"] = "加大宣传考核"
    r = c.post("/assessment/settings/", data)
    assert r.status_code == 302
    change = AssessmentParameterChange.objects.get()
    assert (change.name, change.old_value, change.new_value, change.changed_by, change.reason) == (
        "weight.publicity_coverage",
        15,
        100,
        city_manager,
        "加大宣传考核",
    )
    ranking = c.get("/assessment/?year=2025").context["results"]
    assert [(r.code, str(r.score)) for r in ranking] == [(B, "100.00"), (C, "52.17"), (A, "33.70")]
    history = c.get("/assessment/settings/").content.decode()
    assert "加大宣传考核" in history and "15" in history and "100" in history


def test_invalid_parameters_are_form_errors_and_change_nothing(db, logged, city_manager):
    from assessment.models import AssessmentParameter

    c = logged(city_manager)
    form = c.get("/assessment/settings/").context["form"]
    data = {name: str(form.initial[name]) for name in form.fields if name != "reason"}
    data["target.employer_coverage"] = "0"
    r = c.post("/assessment/settings/", data)
    assert r.status_code == 400 and "目标值应大于 0" in r.content.decode()
    data["target.employer_coverage"] = "abc"
    assert c.post("/assessment/settings/", data).status_code == 400
    assert not AssessmentParameter.objects.exists()


def test_a_caseworker_may_read_the_parameters_but_not_change_them(db, logged, caseworker):
    c = logged(caseworker)
    assert c.get("/assessment/settings/").status_code == 200
    assert c.post("/assessment/settings/", {"pass_score": "10"}).status_code == 403


def test_the_parameters_page_is_in_the_users_language(scenario, logged, city_manager):
    c = logged(city_manager)
    assert "合格分数线（分）" in c.get("/assessment/settings/").content.decode()
    c.post("/i18n/setlang/", {"language": "en", "next": "/assessment/settings/"})
    body = c.get("/assessment/settings/").content.decode()
    assert "Pass score (points)" in body and "Employer coverage weight" in body
    assert "合格分数线" not in body
