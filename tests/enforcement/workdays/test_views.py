"""The calendar page: who may use it, adding and deleting days through the form, the
service's refusals shown on the page, bad years and dates answered with a message."""

import datetime as dt

import pytest
from django.utils import timezone

from enforcement.models import WorkCalendarChange, WorkCalendarDay

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
URL = "/enforcement/calendar/"


@pytest.fixture
def manager_client(client, city_manager, fast_password_hasher):
    client.force_login(city_manager)
    return client


def test_the_page_lists_the_year_with_its_month_grid(manager_client, golden_week_2025):
    response = manager_client.get(URL, {"year": "2025"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "国庆节、中秋节" in page and "国庆节调休" in page
    assert page.count('class="workcal-month"') == 12
    assert response.context["working_days"] == 261 - 6 + 2  # 6 weekday holidays, 2 make-ups
    assert [d.date for d in response.context["days"]][:1] == [D("2025-09-28")]


def test_the_page_shows_another_year_empty(manager_client, golden_week_2025):
    response = manager_client.get(URL, {"year": "2027"})
    assert response.status_code == 200
    assert list(response.context["days"]) == []
    assert response.context["working_days"] == 261  # 2027: 261 weekdays


@pytest.mark.parametrize("year", ["abc", "1999", "2101", "-1", "20255"])
def test_a_bad_year_gives_this_year_and_a_message(manager_client, year):
    response = manager_client.get(URL, {"year": year})
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year
    assert "年份应为" in response.content.decode()


def test_adding_a_day_saves_it_through_the_service(manager_client, city_manager):
    response = manager_client.post(URL, {"day": "2026-10-10", "kind": "workday", "name": "国庆节调休"})
    assert response.status_code == 302 and response["Location"].endswith("?year=2026")
    day = WorkCalendarDay.objects.get()
    assert (day.date, day.kind, day.updated_by) == (D("2026-10-10"), "workday", city_manager)
    assert WorkCalendarChange.objects.get().actor == city_manager


def test_a_make_up_day_on_a_weekday_is_refused_on_the_page(manager_client):
    response = manager_client.post(URL, {"day": "2026-10-09", "kind": "workday", "name": "国庆节调休"})
    assert response.status_code == 200
    assert "星期六或星期日" in response.content.decode()
    assert not WorkCalendarDay.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"day": "2026-02-30", "kind": "holiday", "name": "x"},
        {"day": "10/01/2026", "kind": "holiday", "name": "x"},
        {"day": "2026-10-01", "kind": "festival", "name": "x"},
        {"day": "2026-10-01", "kind": "holiday", "name": ""},
        {"day": "2026-10-01", "kind": "holiday", "name": "节" * 41},
    ],
)
def test_malformed_input_is_answered_on_the_form(manager_client, data):
    response = manager_client.post(URL, data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not WorkCalendarDay.objects.exists()


def test_deleting_a_day(manager_client, golden_week_2025):
    response = manager_client.post(URL + "delete/", {"day": "2025-10-11"})
    assert response.status_code == 302 and response["Location"].endswith("?year=2025")
    assert not WorkCalendarDay.objects.filter(date=D("2025-10-11")).exists()
    assert WorkCalendarChange.objects.get().action == "delete"


@pytest.mark.parametrize(
    "day, message", [("2025-10-20", "不在工作日历中"), ("nonsense", "YYYY-MM-DD"), ("", "YYYY-MM-DD")]
)
def test_deleting_what_is_not_there_says_why(manager_client, golden_week_2025, day, message):
    response = manager_client.post(URL + "delete/", {"day": day}, follow=True)
    assert message in response.content.decode()
    assert WorkCalendarDay.objects.count() == 10


@pytest.mark.parametrize("role", ["inspector", "caseworker", "street_staff"])
def test_only_city_managers_reach_the_page(client, request, role, fast_password_hasher):
    client.force_login(request.getfixturevalue(role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"day": "2026-10-10", "kind": "workday", "name": "x"}).status_code == 403
    assert client.post(URL + "delete/", {"day": "2026-10-10"}).status_code == 403
    assert not WorkCalendarChange.objects.exists()


def test_the_nav_links_the_calendar_for_managers_only(client, city_manager, inspector, fast_password_hasher):
    client.force_login(city_manager)
    assert 'href="/enforcement/calendar/"' in client.get("/comparison-runs/").content.decode()
    client.force_login(inspector)
    assert 'href="/enforcement/calendar/"' not in client.get("/comparison-runs/").content.decode()
