"""TaskFilterSet's boundaries (an empty value is no filter, a bad value a clear 400 or
form error, never a 500) and the queue's paging and count cap in task_page_get."""

import pytest

from enforcement import selectors
from tests.conftest import token_client
from tests.factories import ClosedTaskFactory, OpenTaskFactory, OverdueTaskFactory
from wuhai_coverage.core.filters import FilterError

pytestmark = pytest.mark.django_db

EVERY_PARAMETER_EMPTY = {
    name: ""
    for name in (
        "kind",
        "status",
        "district",
        "street",
        "subject",
        "priority",
        "overdue",
        "q",
        "assignee",
        "person",
        "sort",
    )
}

BAD_VALUES = [
    ("kind", "nope"),
    ("status", "done"),
    ("priority", "urgent"),
    ("overdue", "maybe"),
    ("district", "15030"),
    ("district", "1503021"),
    ("street", "abc"),
    ("sort", "password"),
    ("assignee", "bob"),
    ("person", "abc"),
    ("person", "1" * 19),
    ("q", "x" * 101),
]


def _ids(qs):
    return {t.pk for t in qs}


def test_given_every_parameter_empty_when_the_queue_is_read_then_nothing_is_filtered(caseworker):
    tasks = [OpenTaskFactory(), OverdueTaskFactory(), OpenTaskFactory(priority="high")]
    ClosedTaskFactory()
    got = _ids(selectors.task_list(user=caseworker, filters=EVERY_PARAMETER_EMPTY))
    assert got == {t.pk for t in tasks} == _ids(selectors.task_list(user=caseworker))


def test_given_every_parameter_empty_when_the_api_lists_then_every_task_is_there(caseworker):
    OpenTaskFactory.create_batch(2)
    ClosedTaskFactory()
    query = "&".join(f"{name}=" for name in EVERY_PARAMETER_EMPTY)
    body = token_client(caseworker).get(f"/api/v1/tasks/?{query}").json()
    assert body["count"] == 3


@pytest.mark.parametrize("name, value", BAD_VALUES)
def test_a_bad_value_is_a_filter_error_naming_the_parameter(name, value, caseworker):
    with pytest.raises(FilterError) as refused:
        selectors.task_list(user=caseworker, filters={name: value})
    assert list(refused.value.errors) == [name] and str(refused.value).startswith(f"{name}: ")


@pytest.mark.parametrize("name, value", BAD_VALUES)
def test_a_bad_value_is_a_400_with_detail_in_the_api(name, value, caseworker):
    response = token_client(caseworker).get("/api/v1/tasks/", {name: value})
    assert response.status_code == 400 and response.json()["detail"].startswith(f"{name}: ")


@pytest.mark.parametrize("name, value", BAD_VALUES)
def test_a_bad_value_is_a_form_error_on_the_queue_page_and_a_400_on_the_export(
    name, value, client, caseworker
):
    client.force_login(caseworker)
    OpenTaskFactory(subject_name="乌海市默认列表企业")
    page = client.get("/tasks/", {name: value})
    body = page.content.decode()
    assert page.status_code == 400 and 'role="alert"' in body and f"{name}: " in body
    assert "乌海市默认列表企业" in body  # the default list below the message
    export = client.get("/tasks/export.xlsx", {name: value})
    assert export.status_code == 400 and export.content.decode().startswith(f"{name}: ")


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "Yes", "on", " true "])
def test_overdue_accepts_every_spelling_of_true(value, caseworker):
    overdue = OverdueTaskFactory()
    OpenTaskFactory()
    assert _ids(selectors.task_list(user=caseworker, filters={"overdue": value})) == {overdue.pk}


@pytest.mark.parametrize("value", ["0", "false", "No", "OFF"])
def test_overdue_accepts_every_spelling_of_false(value, caseworker):
    OverdueTaskFactory()
    plain = OpenTaskFactory()
    assert _ids(selectors.task_list(user=caseworker, filters={"overdue": value})) == {plain.pk}


def test_values_are_stripped_and_status_all_includes_closed(caseworker):
    closed = ClosedTaskFactory()
    assert _ids(selectors.task_list(user=caseworker, filters={"status": " closed "})) == {closed.pk}
    assert closed.pk in _ids(selectors.task_list(user=caseworker, filters={"status": "all"}))


def test_the_api_shows_closed_tasks_without_a_status_and_the_queue_does_not(caseworker):
    closed = ClosedTaskFactory()
    assert closed.pk in _ids(selectors.task_list(user=caseworker, closed_by_default=False))
    assert closed.pk not in _ids(selectors.task_list(user=caseworker))


# --- task_page_get: the queue's paging and count cap -----------------------------------


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)


def test_given_more_matches_than_the_cap_when_page_one_is_read_then_the_count_stops_at_the_cap(
    small_pages, caseworker
):
    OpenTaskFactory.create_batch(5)
    page = selectors.task_page_get(user=caseworker, filters={}, page=1)
    assert len(page.rows) == 2 and page.has_next and page.number == 1
    assert page.count == 3 and page.count_capped
    assert (page.first_index, page.last_index) == (1, 2)


def test_given_exactly_the_cap_when_counted_then_it_is_not_marked_capped(small_pages, caseworker):
    OpenTaskFactory.create_batch(3)
    page = selectors.task_page_get(user=caseworker, filters={}, page=1)
    assert page.count == 3 and not page.count_capped


def test_the_last_page_has_no_next_and_pages_past_the_end_are_empty(small_pages, caseworker):
    tasks = OpenTaskFactory.create_batch(5)
    last = selectors.task_page_get(user=caseworker, filters={"sort": "opened_at"}, page=3)
    assert [row["id"] for row in last.rows] == [tasks[-1].pk] and not last.has_next
    assert (last.first_index, last.last_index) == (5, 5)
    past = selectors.task_page_get(user=caseworker, filters={}, page=9)
    assert past.rows == [] and not past.has_next and past.first_index == 0


def test_a_page_below_one_is_page_one_and_the_filters_come_back_cleaned(small_pages, caseworker):
    OpenTaskFactory.create_batch(3)
    page = selectors.task_page_get(user=caseworker, filters={"overdue": "no"}, page=0)
    assert page.number == 1 and page.filters["overdue"] is False and page.filters["sort"] == "-opened_at"


def test_the_page_refuses_a_bad_filter(caseworker):
    with pytest.raises(FilterError):
        selectors.task_page_get(user=caseworker, filters={"sort": "password"}, page=1)
