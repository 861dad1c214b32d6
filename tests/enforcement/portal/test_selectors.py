"""Reads: the queue's filters and jurisdiction, the dashboard, the subject's rows."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from enforcement import selectors
from tests.factories import (
    ClosedTaskFactory,
    NoticeIssuedTaskFactory,
    OpenTaskFactory,
    OverdueTaskFactory,
    PersonTaskFactory,
    load_snapshot,
    make_id_number,
    make_user,
)
from wuhai_coverage.core.filters import FilterError

pytestmark = pytest.mark.django_db


def _ids(qs):
    return {t.pk for t in qs}


def test_queue_shows_only_tasks_that_are_not_closed_by_default(caseworker):
    open_ = OpenTaskFactory()
    ClosedTaskFactory()
    assert _ids(selectors.task_list(user=caseworker)) == {open_.pk}


def test_status_all_includes_closed_tasks(caseworker):
    tasks = [OpenTaskFactory(), ClosedTaskFactory()]
    assert _ids(selectors.task_list(user=caseworker, filters={"status": "all"})) == {t.pk for t in tasks}


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"kind": "collect_arrears"}, {"arrears"}),
        ({"status": "notice_issued"}, {"noticed", "overdue"}),
        ({"street": "150302002"}, {"haibei"}),
        ({"priority": "high"}, {"high"}),
        ({"overdue": "1"}, {"overdue"}),
        ({"q": "红星"}, {"high"}),
        ({"q": "91150302AAA"}, {"arrears"}),
    ],
)
def test_queue_filters(params, expected, caseworker):
    tasks = {
        "plain": OpenTaskFactory(),
        "arrears": OpenTaskFactory(kind="collect_arrears", subject_key="91150302AAA000000X"),
        "haibei": OpenTaskFactory(street_id="150302002"),
        "high": OpenTaskFactory(priority="high", subject_name="乌海市红星煤业有限公司"),
        "noticed": NoticeIssuedTaskFactory(),
        "overdue": OverdueTaskFactory(),
    }
    got = _ids(selectors.task_list(user=caseworker, filters=params))
    assert got == {tasks[k].pk for k in expected}


def test_overdue_is_strictly_before_today(caseworker):
    today = timezone.localdate()
    due_today = NoticeIssuedTaskFactory(due_date=today)
    due_yesterday = NoticeIssuedTaskFactory(due_date=today - dt.timedelta(days=1))
    overdue = _ids(selectors.task_list(user=caseworker, filters={"overdue": "true"}))
    not_overdue = _ids(selectors.task_list(user=caseworker, filters={"overdue": "false"}))
    assert overdue == {due_yesterday.pk} and due_today.pk in not_overdue


def test_text_search_needs_the_whole_id_number(caseworker):
    person = PersonTaskFactory()
    PersonTaskFactory()
    # No prefix search of ID numbers (region + birth date would enumerate persons).
    assert _ids(selectors.task_list(user=caseworker, filters={"q": person.subject_key[:14]})) == set()
    whole = _ids(selectors.task_list(user=caseworker, filters={"q": person.subject_key.lower()}))
    assert whole == {person.pk}
    assert _ids(selectors.task_list(user=caseworker, filters={"subject": person.subject_key})) == {person.pk}


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "nope"},
        {"status": "done"},
        {"priority": "urgent"},
        {"overdue": "maybe"},
        {"district": "15030"},
        {"street": "abc"},
        {"sort": "password"},
        {"assignee": "bob"},
        {"q": "x" * 101},
    ],
)
def test_unknown_filter_values_are_refused(params, caseworker):
    with pytest.raises(FilterError) as refused:
        selectors.task_list(user=caseworker, filters=params)
    assert set(refused.value.errors) == set(params) and str(refused.value).startswith(
        f"{next(iter(params))}: "
    )


def test_sorting_by_due_date(caseworker):
    today = timezone.localdate()
    later = NoticeIssuedTaskFactory(due_date=today + dt.timedelta(days=9))
    sooner = NoticeIssuedTaskFactory(due_date=today + dt.timedelta(days=2))
    got = [t.pk for t in selectors.task_list(user=caseworker, filters={"sort": "due_date"})]
    assert got == [sooner.pk, later.pk]


def test_priority_sort_puts_high_first(caseworker):
    normal = OpenTaskFactory()
    high = OpenTaskFactory(priority="high")
    got = [t.pk for t in selectors.task_list(user=caseworker, filters={"sort": "priority"})]
    assert got == [high.pk, normal.pk]


@pytest.mark.parametrize(
    "role, visible",
    [
        ("city_manager", {"fhl", "haibei", "wuda", "city"}),
        ("inspector", {"fhl", "haibei", "wuda", "city"}),
        ("district_caseworker", {"fhl", "haibei"}),
        ("street_staff", {"fhl"}),
        ("partner", set()),
    ],
)
def test_queue_is_limited_to_the_jurisdiction(role, visible):
    tasks = {
        "fhl": OpenTaskFactory(),
        "haibei": OpenTaskFactory(street_id="150302002"),
        "wuda": OpenTaskFactory(district_id="150304", street_id="150304002"),
        "city": OpenTaskFactory(district_id=None, street_id=None),
    }
    user = {
        "city_manager": lambda: make_user("city_manager"),
        "inspector": lambda: make_user("inspector"),
        "district_caseworker": lambda: make_user("district_caseworker", district="150302"),
        "street_staff": lambda: make_user("street_staff", street="150302001"),
        "partner": lambda: make_user("partner", department="tax"),
    }[role]()
    assert _ids(selectors.task_list(user=user)) == {tasks[k].pk for k in visible}
    for key, task in tasks.items():
        if key in visible:
            assert selectors.task_get_for_user(user=user, pk=task.pk) == task
        else:
            with pytest.raises(Http404):
                selectors.task_get_for_user(user=user, pk=task.pk)


def test_dashboard_counts_by_kind_status_overdue_and_mine(caseworker, street_staff):
    OpenTaskFactory.create_batch(2)
    OpenTaskFactory(kind="collect_arrears", priority="high", assignee=caseworker)
    OverdueTaskFactory()
    ClosedTaskFactory()
    OpenTaskFactory(district_id="150304", street_id="150304002")  # another district
    counts = selectors.dashboard_counts_get(user=caseworker)
    kinds = {row["kind"]: row for row in counts["kinds"]}
    assert kinds["enroll_employer"]["by_status"] == {"open": 2, "notice_issued": 1}
    assert kinds["collect_arrears"]["total"] == 1
    assert (counts["open_total"], counts["overdue"], counts["high"], counts["mine"]) == (4, 1, 1, 1)


def test_subject_sources_show_each_roster_side_by_side_with_mismatches(caseworker):
    task = OpenTaskFactory(subject_name="乌海市甲公司")
    uscc = task.subject_key
    load_snapshot(
        "market_entities",
        [
            dict(
                uscc=uscc,
                name="乌海市甲公司",
                entity_type="enterprise",
                status="active",
                established_on=dt.date(2020, 1, 1),
                district_code="150302",
                street_code="150302001",
                employees_reported=5,
                phone="13800001111",
            )
        ],
    )
    load_snapshot(
        "tax_payroll",
        [
            dict(
                uscc=uscc,
                name="乌海市甲有限公司",
                period=202609,
                payroll_headcount=12,
                payroll_total=54000,
                district_code="150302",
            ),
            dict(
                uscc=uscc,
                name="乌海市甲有限公司",
                period=202608,
                payroll_headcount=11,
                payroll_total=50000,
                district_code="150302",
            ),
        ],
    )
    load_snapshot("insurance_employers", [])
    sources, aspects = selectors.subject_sources_get(task=task)
    by_kind = {s.kind: s for s in sources}
    assert by_kind["tax_payroll"].row["period"] == 202609  # the latest period
    assert by_kind["insurance_employers"].batch is not None and by_kind["insurance_employers"].row is None
    assert by_kind["dust_hazard"].batch is None
    aspect = {a.label: a for a in aspects}
    assert aspect["单位名称"].mismatch
    assert (
        aspect["人数（申报/扣缴/养老参保/接害）"].values[:2] == [5, 12]
        and aspect["人数（申报/扣缴/养老参保/接害）"].mismatch
    )
    assert not aspect["所属区"].mismatch
    assert selectors.subject_personal_value_get(task=task, field_name="phone") == "13800001111"


def test_person_sources_compare_household_registries_and_insurance(caseworker):
    idn = make_id_number(dt.date(1980, 5, 5), seq=7)
    task = PersonTaskFactory(subject_key=idn, kind="subsidized_enrollment")
    common = dict(id_number=idn, name="张三", birth_date=dt.date(1980, 5, 5), sex="M")
    load_snapshot(
        "household_registry",
        [dict(common, district_code="150302", street_code="150302001", phone="13900002222")],
    )
    load_snapshot(
        "civil_affairs",
        [
            dict(
                common,
                category="dibao",
                valid_from=dt.date(2025, 1, 1),
                district_code="150302",
                street_code="150302002",
            )
        ],
    )
    load_snapshot(
        "insurance_persons",
        [
            dict(
                common,
                name="张叁",
                insurance_type="pension",
                scheme="resident",
                status="interrupted",
                last_paid_period=202401,
            )
        ],
    )
    sources, aspects = selectors.subject_sources_get(task=task)
    aspect = {a.label: a for a in aspects}
    assert aspect["姓名"].mismatch and aspect["所属街道"].mismatch and not aspect["出生年份"].mismatch
    assert aspect["养老参保状态"].values[-1] == "interrupted"
    assert aspect["身份证号"].personal == "id_number"
