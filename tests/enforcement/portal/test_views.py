"""The pages: queue (filters, masking, bulk assignment, XLSX export), task page (side by
side, evidence, timeline, actions, reveal), dashboard, street pages."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from enforcement import selectors
from enforcement.models import Task, TaskEvent
from enrollment.exports import safe_cell
from tests.factories import (
    AssignedTaskFactory,
    ClosedTaskFactory,
    OpenTaskFactory,
    PersonTaskFactory,
    load_snapshot,
    make_user,
)
from wuhai_coverage.core.models import AccessLog
from wuhai_coverage.core.privacy import mask_id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdf")]


@pytest.fixture
def cw_client(client, caseworker):
    client.force_login(caseworker)
    return client


def test_root_redirects_to_the_dashboard(cw_client):
    response = cw_client.get("/")
    assert response.status_code == 302 and response["Location"] == "/dashboard/"


def test_dashboard_shows_counts_of_the_jurisdiction(cw_client):
    OpenTaskFactory.create_batch(2, kind="collect_arrears")
    OpenTaskFactory(district_id="150304", street_id="150304002")
    page = cw_client.get("/dashboard/").content.decode()
    assert "工作台" in page and "欠费清缴" in page and "?kind=collect_arrears&amp;status=open" in page


def test_queue_masks_id_numbers_and_filters(cw_client):
    person = PersonTaskFactory()
    OpenTaskFactory(subject_name="乌海市乙公司")
    page = cw_client.get("/tasks/?kind=enroll_person").content.decode()
    assert mask_id_number(person.subject_key) in page and person.subject_key not in page
    assert "乌海市乙公司" not in page


def test_given_markup_in_names_when_the_queue_and_task_page_print_them_then_it_is_escaped(cw_client):
    """The queue's rows and the side-by-side table are printed in Python (portal_tags), not
    by the template's autoescape: they must escape just the same."""
    evil = '<script>alert("x")</script>&'
    task = OpenTaskFactory(subject_name=evil)
    load_snapshot(
        "market_entities",
        [
            dict(
                uscc=task.subject_key,
                name=evil,
                entity_type="enterprise",
                status="active",
                established_on=dt.date(2020, 1, 1),
                district_code="150302",
                address="<b>路</b>",
            )
        ],
    )
    queue = cw_client.get("/tasks/").content.decode()
    page = cw_client.get(f"/tasks/{task.pk}/").content.decode()
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;"
    assert escaped in queue and "<script>alert" not in queue
    assert page.count(escaped) >= 2 and "<script>alert" not in page  # heading and the market row
    assert "&lt;b&gt;路&lt;/b&gt;" in page and "<b>路</b>" not in page


def test_queue_counts_up_to_the_cap(cw_client, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    OpenTaskFactory.create_batch(3)
    page = cw_client.get("/tasks/").content.decode()
    assert "共 2+ 条" in page


def test_queue_pages(cw_client, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    OpenTaskFactory.create_batch(3)
    first = cw_client.get("/tasks/").content.decode()
    second = cw_client.get("/tasks/?page=2").content.decode()
    assert "下一页" in first and "下一页" not in second and "上一页" in second
    assert cw_client.get("/tasks/?page=abc").status_code == 200


def test_bulk_assign_from_the_queue(cw_client, caseworker):
    worker = make_user("street_staff", street="150302001")
    tasks = OpenTaskFactory.create_batch(2)
    outside = OpenTaskFactory(district_id="150304", street_id="150304002")
    response = cw_client.post(
        "/tasks/bulk-assign/", {"assignee": worker.pk, "task": [t.pk for t in tasks] + [outside.pk]}
    )
    assert response.status_code == 302
    assert set(Task.objects.filter(assignee=worker).values_list("pk", flat=True)) == {t.pk for t in tasks}
    assert Task.objects.get(pk=outside.pk).assignee is None


def test_bulk_assign_to_a_worker_outside_the_district_is_refused(cw_client):
    stranger = make_user("street_staff", street="150304002")
    task = OpenTaskFactory()
    cw_client.post("/tasks/bulk-assign/", {"assignee": stranger.pk, "task": [task.pk]})
    assert Task.objects.get(pk=task.pk).assignee is None


def test_export_is_the_filtered_list_with_formulas_neutralised(cw_client):
    OpenTaskFactory(subject_name='=HYPERLINK("http://evil","x")', kind="collect_arrears")
    OpenTaskFactory(subject_name="+1+2", kind="collect_arrears")
    OpenTaskFactory(subject_name="普通企业", kind="enroll_employer")
    person = PersonTaskFactory(kind="collect_arrears")
    response = cw_client.get("/tasks/export.xlsx?kind=collect_arrears")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    names = {r[6] for r in rows[1:]}
    assert rows[0][0] == "编号" and len(rows) == 4
    assert '\'=HYPERLINK("http://evil","x")' in names and "'+1+2" in names and "普通企业" not in names
    assert mask_id_number(person.subject_key) in {r[5] for r in rows}
    for r in ws.iter_rows():
        for c in r:
            assert c.data_type != "f"


@pytest.mark.parametrize(
    "value, safe",
    [
        ("=1+1", "'=1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\n=1", "'\n=1"),
        ("乌海", "乌海"),
        (12, 12),
        (None, None),
    ],
)
def test_safe_cell_neutralises_formulas(value, safe):
    assert safe_cell(value) == safe


def test_task_page_shows_rosters_side_by_side_evidence_and_timeline(cw_client, caseworker):
    task = OpenTaskFactory(subject_name="乌海市甲公司", evidence={"H": 12, "sources": ["market", "tax"]})
    load_snapshot(
        "market_entities",
        [
            dict(
                uscc=task.subject_key,
                name="乌海市甲公司",
                entity_type="enterprise",
                status="active",
                established_on=dt.date(2020, 1, 1),
                district_code="150302",
                street_code="150302001",
                employees_reported=3,
                phone="13800001111",
            )
        ],
    )
    load_snapshot(
        "tax_payroll",
        [
            dict(
                uscc=task.subject_key,
                name="乌海市甲公司",
                period=202609,
                payroll_headcount=12,
                payroll_total=54000,
                district_code="150302",
            )
        ],
    )
    load_snapshot("insurance_employers", [])
    TaskEvent.objects.create(task=task, kind="opened")
    page = cw_client.get(f"/tasks/{task.pk}/").content.decode()
    assert "市场主体登记名册" in page and "个税代扣代缴名册" in page and "参保单位名册" in page
    assert "名册中无此对象" in page  # not in insurance_employers: the mismatch that opened the task
    assert 'class="mismatch"' in page  # 3 reported vs 12 on the payroll
    assert "138****1111" in page and "13800001111" not in page
    assert "个税扣缴人数" in page and "市场监管局登记、税务个税扣缴" in page
    assert "比对系统" in page  # the timeline's opened event


def test_reveal_phone_returns_it_and_writes_the_access_log(cw_client, caseworker):
    task = OpenTaskFactory()
    load_snapshot(
        "market_entities",
        [
            dict(
                uscc=task.subject_key,
                name="甲",
                entity_type="enterprise",
                status="active",
                established_on=dt.date(2020, 1, 1),
                district_code="150302",
                phone="13800001111",
            )
        ],
    )
    response = cw_client.post(f"/tasks/{task.pk}/reveal/phone/", HTTP_HX_REQUEST="true")
    assert "13800001111" in response.content.decode()
    log = AccessLog.objects.get()
    assert (log.actor, log.field, log.subject_key) == (caseworker, "phone", task.subject_key)


def test_reveal_of_an_unknown_field_is_404(cw_client):
    task = PersonTaskFactory()
    assert cw_client.post(f"/tasks/{task.pk}/reveal/password/").status_code == 404
    assert not AccessLog.objects.exists()


def test_dismiss_without_a_reason_rerenders_the_form_with_an_error(cw_client):
    task = OpenTaskFactory()
    response = cw_client.post(f"/tasks/{task.pk}/dismiss/", {"note": "   ", "confirm": "1"})
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == "open"


def test_action_on_a_closed_task_says_why(cw_client):
    task = ClosedTaskFactory()
    response = cw_client.post(
        f"/tasks/{task.pk}/dismiss/", {"reason_code": "duplicate", "confirm": "1"}, follow=True
    )
    assert "不能执行此操作" in response.content.decode()


def test_notice_from_the_task_page_sets_the_due_date(cw_client):
    task = OpenTaskFactory()
    deadline = timezone.localdate() + dt.timedelta(days=15)
    response = cw_client.post(
        f"/tasks/{task.pk}/notice/",
        {"kind": "enrollment", "deadline": deadline.isoformat(), "issuing_office": ""},
        follow=True,
    )
    task.refresh_from_db()
    assert task.status == "notice_issued" and task.due_date == deadline
    notice = task.notices.get()
    assert notice.number in response.content.decode()
    pdf = cw_client.get(f"/notices/{notice.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_notice_with_a_past_deadline_is_a_form_error(cw_client):
    task = OpenTaskFactory()
    response = cw_client.post(f"/tasks/{task.pk}/notice/", {"kind": "enrollment", "deadline": "2000-01-01"})
    assert response.status_code == 400 and Task.objects.get(pk=task.pk).status == "open"


def test_street_list_shows_my_tasks_first(client, street_staff):
    client.force_login(street_staff)
    mine = AssignedTaskFactory(assignee=street_staff, subject_name="我的任务企业")
    OpenTaskFactory(subject_name="街道未分派企业")
    page = client.get("/tasks/street/").content.decode()
    assert "我的任务企业" in page and "街道未分派企业" not in page
    page_all = client.get("/tasks/street/?mine=0").content.decode()
    assert "街道未分派企业" in page_all and f"/tasks/{mine.pk}/visit/" in page


def test_street_visit_in_one_tap(client, street_staff):
    client.force_login(street_staff)
    task = AssignedTaskFactory(assignee=street_staff)
    response = client.post(f"/tasks/{task.pk}/visit/", {"channel": "visit", "outcome": "will_enroll"})
    # The only task of the list: back to it, all done (test_street.py: the next task).
    assert response.status_code == 302 and response["Location"] == "/tasks/street/?mine=1"
    event = TaskEvent.objects.get(task=task, kind="contacted")
    assert event.actor == street_staff and event.data["channel"] == "visit"
    assert Task.objects.get(pk=task.pk).status == "contacted"


def test_street_visit_without_an_outcome_is_a_form_error(client, street_staff):
    client.force_login(street_staff)
    task = AssignedTaskFactory(assignee=street_staff)
    response = client.post(f"/tasks/{task.pk}/visit/", {"channel": "visit"})
    assert response.status_code == 400 and not TaskEvent.objects.exists()
