"""The task page (issue 13): why the task exists and what to do next, its status path,
one primary action, confirmed destructive actions, preset dismissal reasons, the district
fallback when a street has no street worker, a notice that a double submit does not
duplicate, and a flat query count."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from django.utils.translation import override

from enforcement import services
from enforcement.kinds import KINDS, WHY, next_step, why_sentence
from enforcement.models import Notice, Task, TaskEvent
from tests.factories import (
    AssignedTaskFactory,
    ContactedTaskFactory,
    DismissedTaskFactory,
    EscalatedTaskFactory,
    NoticeIssuedTaskFactory,
    OpenTaskFactory,
    PersonTaskFactory,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdf")]

STATUSES = [s for s in Task.Status.values]

# Typical evidence of each kind, as comparison/rules.py writes it.
TYPICAL = {
    "enroll_employer": {"sources": ["market", "tax"], "H": 12, "W": "54000.00", "payroll_period": 202610},
    "missed_employees": {"H": 40, "Ip": 25, "gap": 15, "threshold": 3},
    "selective_enrollment": {"Ip": 30, "Ii": 10, "Iu": 28},
    "underreported_base": {"declared_average": "2800.00", "wage_average": "6200.00", "reference": "6200.00"},
    "injury_key_industry": {"required": 18, "insured": 4, "hazard_factor": "煤尘"},
    "collect_arrears": {"arrears_amount": "1234567.5", "last_paid_period": 202607},
    "construction_injury": {"builder_name": "乌海市建工集团", "start_date": "2026-08-01"},
    "subsidized_enrollment": {"age": 52, "sex": "F", "civil_affairs_category": "低保"},
    "resume_contributions": {"age": 45, "months_unpaid": 7, "last_paid_period": "2026-03"},
    "enroll_person": {"age": 47, "sex": "M", "community": "凤凰岭社区"},
    "elderly_enrollment": {"age": 63, "community": "海北社区"},
}
# The edges: nothing at all, zeros, values the rule never writes (None, text, booleans).
BOUNDARIES = [
    {},
    {"H": 0, "Ip": 0, "Ii": 0, "Iu": 0, "gap": 0, "required": 0, "insured": 0, "age": 0, "months_unpaid": 0},
    {
        k: None
        for k in ("H", "Ip", "Ii", "Iu", "gap", "arrears_amount", "last_paid_period", "age", "community")
    },
    {"H": "not a number", "arrears_amount": True, "last_paid_period": "202613", "sources": []},
]
RAW = re.compile(r"None|%\(|\{|\}|True|False|nan", re.IGNORECASE)


def test_every_kind_has_a_why_sentence_and_a_next_step_for_every_status():
    assert set(WHY) == set(KINDS) == set(TYPICAL)
    for code in KINDS:
        for status in STATUSES:
            step = next_step(code, status)
            assert step and not RAW.search(step), (code, status, step)


@pytest.mark.parametrize("code", list(KINDS))
def test_the_why_sentence_states_the_evidence(code):
    sentence = why_sentence(code, TYPICAL[code])
    assert sentence.endswith("。") and not RAW.search(sentence), sentence
    # Every number of the typical evidence the sentence is built on appears in it.
    expected = {
        "enroll_employer": ["12 名个税代扣人员", "市场主体登记名册"],
        "missed_employees": ["40 名", "25 人", "15 人未参保"],
        "selective_enrollment": ["30 人", "10 人", "28 人"],
        "underreported_base": ["2,800.00", "6,200.00"],
        "injury_key_industry": ["18 人", "4 人"],
        "collect_arrears": ["1,234,567.50 元", "2026年7月"],
        "construction_injury": ["2026-08-01", "乌海市建工集团"],
        "subsidized_enrollment": ["52岁"],
        "resume_contributions": ["7 个月", "2026年3月"],
        "enroll_person": ["47岁", "凤凰岭社区"],
        "elderly_enrollment": ["63岁", "海北社区"],
    }[code]
    for part in expected:
        assert part in sentence, (part, sentence)


@pytest.mark.parametrize("evidence", BOUNDARIES, ids=["empty", "zeros", "nulls", "odd"])
@pytest.mark.parametrize("code", list(KINDS))
def test_the_why_sentence_holds_at_the_boundaries(code, evidence):
    sentence = why_sentence(code, evidence)
    assert sentence.endswith("。") and len(sentence) > 8 and not RAW.search(sentence), sentence


def test_the_why_sentence_and_next_step_are_translated():
    with override("en"):
        english = why_sentence("enroll_employer", TYPICAL["enroll_employer"])
    with override("zh-hans"):
        chinese = why_sentence("enroll_employer", TYPICAL["enroll_employer"])
    assert "12" in english and "12" in chinese
    assert why_sentence("enroll_employer", None)  # evidence that is not a dict


# --- the page ------------------------------------------------------------------------------


@pytest.fixture
def cw_client(client, caseworker):
    client.force_login(caseworker)
    return client


def _primary_buttons(page: str) -> list[str]:
    return re.findall(r'<button class="primary"[^>]*>([^<]*)</button>', page)


def test_the_page_opens_with_the_why_sentence_the_next_step_and_the_status_path(cw_client):
    task = OpenTaskFactory(evidence=TYPICAL["enroll_employer"])
    page = cw_client.get(f"/tasks/{task.pk}/").content.decode()
    assert "市场主体登记名册显示该单位存续且有 12 名个税代扣人员，但参保单位名册中没有它。" in page
    assert "下一步：分派给街道工作人员核实" in page
    path = re.search(r'<ol class="status-path".*?</ol>', page, re.S).group(0)
    assert path.index("待处理") < path.index("已分派") < path.index("已联系") < path.index("已发告知书")
    assert re.findall(r'aria-current="step">([^<]*)<', path) == ["待处理"]
    # The page's parts in this order: why, then the roster comparison.
    assert page.index("why-sentence") < page.index("各部门名册比对")


@pytest.mark.parametrize(
    ("factory", "primary", "current"),
    [
        (OpenTaskFactory, "分派", "待处理"),
        (AssignedTaskFactory, "保存联系记录", "已分派"),
        (ContactedTaskFactory, "生成告知书（PDF）", "已联系"),
        (NoticeIssuedTaskFactory, "确认已整改", "已发告知书"),
        (EscalatedTaskFactory, "确认已整改", "已移交立案"),
    ],
)
def test_one_primary_action_for_the_status_and_the_others_secondary(
    cw_client, street_staff, factory, primary, current
):
    task = factory()
    page = cw_client.get(f"/tasks/{task.pk}/").content.decode()
    assert _primary_buttons(page) == [primary]
    assert re.findall(r'aria-current="step">([^<]*)<', page) == [current]
    if task.status != "escalated":
        # The destructive ones: their own style, each behind a confirmation box.
        assert page.count('class="danger"') == 2
        assert 'name="confirm" value="1" required> 我确认不予处理此任务' in page
        assert 'name="confirm" value="1" required> 我确认移交劳动保障监察立案' in page


def test_a_closed_task_shows_how_it_ended_and_offers_no_action_but_a_note(cw_client, caseworker):
    task = DismissedTaskFactory()
    TaskEvent.objects.create(task=task, kind="dismissed", actor=caseworker, data={"reason_code": "duplicate"})
    page = cw_client.get(f"/tasks/{task.pk}/").content.decode()
    assert re.findall(r'aria-current="step">([^<]*)<', page) == ["不予处理"]
    assert "任务已办结，无需再操作" in page
    assert 'class="danger"' not in page and _primary_buttons(page) == ["保存"]
    assert "理由：重复任务" in page  # the reason's label in the timeline, not its code
    assert "duplicate" not in re.search(r'<ol class="timeline">.*?</ol>', page, re.S).group(0)


def test_the_street_worker_sees_record_contact_as_primary_and_nothing_destructive(client, street_staff):
    task = AssignedTaskFactory(assignee=street_staff)
    client.force_login(street_staff)
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert _primary_buttons(page) == ["保存联系记录"]
    assert 'class="danger"' not in page and "task-assign" not in page


def test_the_notice_form_carries_its_busy_text(cw_client):
    task = ContactedTaskFactory()
    page = cw_client.get(f"/tasks/{task.pk}/").content.decode()
    assert re.search(f'action="/tasks/{task.pk}/notice/" data-busy="正在生成告知书…"', page)
    assert '<input type="hidden" name="seen" value="0">' in page


def test_the_task_page_query_count_is_flat(cw_client, caseworker, django_assert_max_num_queries):
    def busy_task():
        task = ContactedTaskFactory(evidence=TYPICAL["enroll_employer"])
        for i in range(12):
            TaskEvent.objects.create(task=task, kind="note", actor=caseworker, data={"note": f"第{i}次"})
        for _ in range(3):
            services.notice_issue(
                task=task, actor=caseworker, deadline=timezone.localdate() + dt.timedelta(days=9)
            )
        return task

    small, big = OpenTaskFactory(), busy_task()
    # Warm the per-process caches (current batches, labels) the way a running portal has them.
    # Measured: 10 queries (11 on a street without staff, where the district colleagues are read).
    cw_client.get(f"/tasks/{small.pk}/")
    with django_assert_max_num_queries(13) as small_queries:
        assert cw_client.get(f"/tasks/{small.pk}/").status_code == 200
    with django_assert_max_num_queries(13) as big_queries:
        assert cw_client.get(f"/tasks/{big.pk}/").status_code == 200
    assert len(big_queries.captured_queries) <= len(small_queries.captured_queries) + 1


# --- dismissal -----------------------------------------------------------------------------


def test_dismiss_with_a_preset_reason_after_confirming(cw_client, caseworker):
    task = OpenTaskFactory()
    response = cw_client.post(
        f"/tasks/{task.pk}/dismiss/", {"reason_code": "deregistered", "note": "", "confirm": "1"}, follow=True
    )
    task.refresh_from_db()
    assert task.status == "closed" and task.resolution == "dismissed"
    assert TaskEvent.objects.get(task=task, kind="dismissed").data == {"reason_code": "deregistered"}
    assert "理由：单位已注销/吊销" in response.content.decode()


def test_dismiss_without_the_confirmation_changes_nothing(cw_client):
    task = OpenTaskFactory()
    response = cw_client.post(f"/tasks/{task.pk}/dismiss/", {"reason_code": "duplicate"})
    assert response.status_code == 400 and "请勾选确认" in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == "open"


def test_dismiss_as_other_requires_a_note(cw_client):
    task = OpenTaskFactory()
    response = cw_client.post(
        f"/tasks/{task.pk}/dismiss/", {"reason_code": "other", "note": " ", "confirm": "1"}
    )
    assert response.status_code == 400 and "请填写说明" in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == "open"
    cw_client.post(
        f"/tasks/{task.pk}/dismiss/", {"reason_code": "other", "note": "企业已并入集团", "confirm": "1"}
    )
    event = TaskEvent.objects.get(task=task, kind="dismissed")
    assert event.data == {"reason_code": "other", "note": "企业已并入集团"}


def test_the_reasons_offered_fit_the_subject(cw_client):
    employer, person = OpenTaskFactory(), PersonTaskFactory()
    employer_page = cw_client.get(f"/tasks/{employer.pk}/").content.decode()
    person_page = cw_client.get(f"/tasks/{person.pk}/").content.decode()
    assert "单位已注销/吊销" in employer_page and "人员已死亡/迁出" not in employer_page
    assert "人员已死亡/迁出" in person_page and "单位已注销/吊销" not in person_page
    with pytest.raises(services.TaskError):
        services.task_dismiss(task=person, actor=make_user("city_manager"), reason_code="deregistered")
    assert Task.objects.get(pk=person.pk).status == "open"


def test_escalation_needs_its_confirmation(cw_client):
    task = ContactedTaskFactory()
    assert cw_client.post(f"/tasks/{task.pk}/escalate/", {"note": "拒不参保"}).status_code == 400
    assert Task.objects.get(pk=task.pk).status == "contacted"
    cw_client.post(f"/tasks/{task.pk}/escalate/", {"note": "拒不参保", "confirm": "1"})
    assert Task.objects.get(pk=task.pk).status == "escalated"


def test_the_api_takes_a_preset_code_and_still_the_free_text_reason(caseworker):
    from tests.conftest import token_client

    client = token_client(caseworker)
    coded, legacy, bad, empty = OpenTaskFactory(), OpenTaskFactory(), OpenTaskFactory(), OpenTaskFactory()
    answer = client.post(f"/api/v1/tasks/{coded.pk}/dismiss/", {"reason_code": "duplicate"}, format="json")
    assert answer.status_code == 200 and answer.json()["resolution"] == "dismissed"
    assert TaskEvent.objects.get(task=coded, kind="dismissed").data == {"reason_code": "duplicate"}
    answer = client.post(f"/api/v1/tasks/{legacy.pk}/dismiss/", {"reason": "企业已迁出"}, format="json")
    assert answer.status_code == 200
    assert TaskEvent.objects.get(task=legacy, kind="dismissed").data == {"reason": "企业已迁出"}
    answer = client.post(f"/api/v1/tasks/{bad.pk}/dismiss/", {"reason_code": "whim"}, format="json")
    assert answer.status_code == 400 and "reason_code" in answer.json()
    answer = client.post(f"/api/v1/tasks/{empty.pk}/dismiss/", {"reason_code": "other"}, format="json")
    assert answer.status_code == 400
    assert Task.objects.filter(pk__in=[bad.pk, empty.pk], status="open").count() == 2


# --- assigning when the street has no street worker -----------------------------------------


def test_without_street_staff_the_page_offers_the_district_and_its_caseworkers(cw_client, caseworker):
    colleague = make_user("district_caseworker", district="150302", username="hbw-zhang")
    make_user("district_caseworker", district="150304", username="wd-elsewhere")
    task = OpenTaskFactory(street_id="150302003")  # 新华街道: no street worker account
    page = cw_client.get(f"/tasks/{task.pk}/").content.decode()
    assert "该街道暂无工作人员账号" in page and 'name="to" value="district"' in page
    assert f'name="to" value="{colleague.pk}"' in page and "wd-elsewhere" not in page
    assert _primary_buttons(page) == ["交由区级办理"]


def test_fallback_to_the_district_queue_keeps_the_task_there_marked(cw_client, caseworker):
    task = OpenTaskFactory(street_id="150302003")
    response = cw_client.post(f"/tasks/{task.pk}/assign/", {"to": "district"}, follow=True)
    task.refresh_from_db()
    assert task.status == "assigned" and task.assignee is None and task.district_id == "150302"
    assert TaskEvent.objects.get(task=task, kind="assigned").data["district_queue"] is True
    page = response.content.decode()
    assert "已交由区级经办人员办理" in page and "区级办理" in page
    assert re.findall(r'aria-current="step">([^<]*)<', page) == ["已分派"]


def test_fallback_to_a_named_colleague(cw_client, caseworker):
    colleague = make_user("district_caseworker", district="150302")
    task = OpenTaskFactory(street_id="150302003")
    cw_client.post(f"/tasks/{task.pk}/assign/", {"to": str(colleague.pk)})
    task.refresh_from_db()
    assert task.status == "assigned" and task.assignee == colleague
    event = TaskEvent.objects.get(task=task, kind="assigned")
    assert event.data["assignee"] == colleague.pk and event.data["district_queue"] is True


def test_fallback_refuses_a_caseworker_of_another_district_and_a_street_that_has_staff(
    cw_client, caseworker, other_caseworker, street_staff
):
    bare = OpenTaskFactory(street_id="150302003")
    response = cw_client.post(f"/tasks/{bare.pk}/assign/", {"to": str(other_caseworker.pk)})
    assert response.status_code == 400 and Task.objects.get(pk=bare.pk).status == "open"
    staffed = OpenTaskFactory(street_id="150302001")  # street_staff works here
    with pytest.raises(services.TaskConflict):
        services.task_assign_in_district(task=staffed, actor=caseworker)
    assert Task.objects.get(pk=staffed.pk).status == "open"


# --- the notice and a double submit ---------------------------------------------------------


def test_a_second_submit_of_the_same_notice_form_adds_no_notice(cw_client):
    task = ContactedTaskFactory()
    form = {
        "kind": "enrollment",
        "deadline": (timezone.localdate() + dt.timedelta(days=15)).isoformat(),
        "issuing_office": "",
        "seen": "0",
    }
    first = cw_client.post(f"/tasks/{task.pk}/notice/", form)
    second = cw_client.post(f"/tasks/{task.pk}/notice/", form)
    assert first.status_code == second.status_code == 302
    assert Notice.objects.filter(task=task).count() == 1
    assert TaskEvent.objects.filter(task=task, kind="notice_issued").count() == 1
    # A new form (drawn after the first notice) may issue another one.
    cw_client.post(f"/tasks/{task.pk}/notice/", {**form, "kind": "arrears", "seen": "1"})
    assert list(Notice.objects.filter(task=task).order_by("pk").values_list("kind", flat=True)) == [
        "enrollment",
        "arrears",
    ]


def test_notice_issue_returns_the_existing_notice_for_a_stale_form(caseworker):
    task = OpenTaskFactory()
    deadline = timezone.localdate() + dt.timedelta(days=10)
    first = services.notice_issue(task=task, actor=caseworker, deadline=deadline, seen=0)
    again = services.notice_issue(task=task, actor=caseworker, deadline=deadline, seen=0)
    assert again.pk == first.pk and Notice.objects.filter(task=task).count() == 1
