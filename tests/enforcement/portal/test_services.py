"""Services on tasks: every change moves the task only from an allowed status, and
leaves a timeline event with its actor."""

import datetime as dt
import subprocess

import pytest
from django.utils import timezone

from enforcement import services
from enforcement.models import CaseEvent, EnforcementCase, Notice, Task, TaskEvent
from tests.factories import (
    AssignedTaskFactory,
    ClosedTaskFactory,
    ContactedTaskFactory,
    EscalatedTaskFactory,
    NoticeIssuedTaskFactory,
    OpenTaskFactory,
    PersonTaskFactory,
    ProjectTaskFactory,
    make_user,
)
from wuhai_coverage.core.models import AccessLog

pytestmark = pytest.mark.django_db


def _events(task, kind):
    return list(TaskEvent.objects.filter(task=task, kind=kind))


# --- assign ------------------------------------------------------------------------------


def test_assign_open_task_to_street_staff_of_its_street_makes_it_assigned(caseworker, street_staff):
    task = OpenTaskFactory(street_id="150302001")
    task = services.task_assign(task=task, actor=caseworker, assignee=street_staff)
    assert task.status == "assigned" and task.assignee == street_staff
    [event] = _events(task, "assigned")
    assert event.actor == caseworker and event.data["assignee"] == street_staff.pk


def test_assign_to_staff_of_another_street_is_refused(caseworker):
    other = make_user("street_staff", street="150302002")
    task = OpenTaskFactory(street_id="150302001")
    with pytest.raises(services.TaskError):
        services.task_assign(task=task, actor=caseworker, assignee=other)
    assert Task.objects.get(pk=task.pk).status == "open" and not _events(task, "assigned")


def test_assign_to_a_caseworker_is_refused(caseworker):
    task = OpenTaskFactory()
    with pytest.raises(services.TaskError):
        services.task_assign(task=task, actor=caseworker, assignee=caseworker)


def test_assign_a_task_without_street_is_refused(caseworker, street_staff):
    task = OpenTaskFactory(street_id=None)
    with pytest.raises(services.TaskError):
        services.task_assign(task=task, actor=caseworker, assignee=street_staff)


def test_reassigning_a_contacted_task_keeps_its_status(caseworker, street_staff):
    task = ContactedTaskFactory(street_id="150302001")
    task = services.task_assign(task=task, actor=caseworker, assignee=street_staff)
    assert task.status == "contacted" and task.assignee == street_staff


@pytest.mark.parametrize("factory", [ClosedTaskFactory, EscalatedTaskFactory])
def test_assign_closed_or_escalated_task_is_refused(factory, caseworker, street_staff):
    task = factory(street_id="150302001")
    with pytest.raises(services.TaskError):
        services.task_assign(task=task, actor=caseworker, assignee=street_staff)


def test_bulk_assign_moves_only_tasks_of_the_workers_street_that_are_not_closed(caseworker, street_staff):
    mine = OpenTaskFactory.create_batch(3, street_id="150302001")
    other_street = OpenTaskFactory(street_id="150302002")
    closed = ClosedTaskFactory(street_id="150302001")
    ids = [t.pk for t in [*mine, other_street, closed]]
    result = services.task_bulk_assign(
        tasks=Task.objects.filter(pk__in=ids), actor=caseworker, assignee=street_staff
    )
    assert result == {"assigned": 3, "skipped": 2}
    assert set(Task.objects.filter(assignee=street_staff).values_list("pk", flat=True)) == {
        t.pk for t in mine
    }
    assert TaskEvent.objects.filter(kind="assigned", actor=caseworker).count() == 3
    assert Task.objects.get(pk=closed.pk).assignee is None


def test_bulk_assign_over_the_limit_is_refused(caseworker, street_staff, monkeypatch):
    monkeypatch.setattr(services, "BULK_ASSIGN_MAX", 2)
    tasks = OpenTaskFactory.create_batch(3, street_id="150302001")
    with pytest.raises(services.TaskError):
        services.task_bulk_assign(
            tasks=Task.objects.filter(pk__in=[t.pk for t in tasks]), actor=caseworker, assignee=street_staff
        )


def test_bulk_assign_at_the_limit_is_accepted(caseworker, street_staff, monkeypatch):
    monkeypatch.setattr(services, "BULK_ASSIGN_MAX", 2)
    tasks = OpenTaskFactory.create_batch(2, street_id="150302001")
    result = services.task_bulk_assign(
        tasks=Task.objects.filter(pk__in=[t.pk for t in tasks]), actor=caseworker, assignee=street_staff
    )
    assert result["assigned"] == 2


# --- contact -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "factory, after",
    [
        (OpenTaskFactory, "contacted"),
        (AssignedTaskFactory, "contacted"),
        (ContactedTaskFactory, "contacted"),
        (NoticeIssuedTaskFactory, "notice_issued"),
    ],
)
def test_record_contact_moves_to_contacted_but_keeps_a_notice(factory, after, street_staff):
    task = factory()
    task = services.task_record_contact(
        task=task, actor=street_staff, channel="visit", outcome="will_enroll", note="负责人答应下周办理"
    )
    assert task.status == after
    [event] = _events(task, "contacted")
    assert event.actor == street_staff
    assert event.data == {"channel": "visit", "outcome": "will_enroll", "note": "负责人答应下周办理"}


@pytest.mark.parametrize("channel, outcome", [("fax", "reached"), ("phone", "maybe")])
def test_record_contact_with_unknown_channel_or_outcome_is_refused(channel, outcome, street_staff):
    task = OpenTaskFactory()
    with pytest.raises(services.TaskError):
        services.task_record_contact(task=task, actor=street_staff, channel=channel, outcome=outcome)


def test_record_contact_on_a_closed_task_is_refused(street_staff):
    with pytest.raises(services.TaskError):
        services.task_record_contact(
            task=ClosedTaskFactory(), actor=street_staff, channel="phone", outcome="reached"
        )


def test_contact_note_longer_than_the_limit_is_refused(street_staff):
    with pytest.raises(services.TaskError):
        services.task_record_contact(
            task=OpenTaskFactory(),
            actor=street_staff,
            channel="phone",
            outcome="reached",
            note="x" * (services.MAX_TEXT + 1),
        )


# --- dismiss / rectify ------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_dismiss_requires_a_reason(reason, caseworker):
    task = OpenTaskFactory()
    with pytest.raises(services.TaskError):
        services.task_dismiss(task=task, actor=caseworker, reason=reason)
    assert Task.objects.get(pk=task.pk).status == "open"


def test_dismiss_closes_the_task_as_dismissed_with_the_reason(caseworker):
    task = services.task_dismiss(task=OpenTaskFactory(), actor=caseworker, reason="企业已于2026年迁出本市")
    assert (task.status, task.resolution) == ("closed", "dismissed") and task.closed_at
    assert _events(task, "dismissed")[0].data == {"reason": "企业已于2026年迁出本市"}


def test_dismiss_twice_is_refused_the_second_time(caseworker):
    task = OpenTaskFactory()
    services.task_dismiss(task=task, actor=caseworker, reason="重复")
    with pytest.raises(services.TaskError):
        services.task_dismiss(task=task, actor=caseworker, reason="重复")
    assert TaskEvent.objects.filter(task=task, kind="dismissed").count() == 1


def test_dismissing_an_escalated_task_is_refused(caseworker):
    with pytest.raises(services.TaskError):
        services.task_dismiss(task=EscalatedTaskFactory(), actor=caseworker, reason="x")


def test_mark_rectified_requires_what_changed(street_staff):
    with pytest.raises(services.TaskError):
        services.task_mark_rectified(task=OpenTaskFactory(), actor=street_staff, what_changed=" ")


def test_mark_rectified_closes_the_task(street_staff):
    task = services.task_mark_rectified(
        task=EscalatedTaskFactory(), actor=street_staff, what_changed="已为12名职工办理参保"
    )
    assert (task.status, task.resolution) == ("closed", "rectified")
    assert _events(task, "rectified")[0].data["what_changed"] == "已为12名职工办理参保"


# --- escalate ----------------------------------------------------------------------------


def test_escalate_an_employer_task_opens_an_enforcement_case(caseworker):
    task = OpenTaskFactory(kind="collect_arrears", evidence={"arrears_amount": "12345.60"})
    case = services.task_escalate(task=task, actor=caseworker, note="多次催缴未果")
    task.refresh_from_db()
    assert task.status == "escalated"
    assert case.case_type == "arrears" and case.employer_uscc == task.subject_key
    assert str(case.arrears_amount) == "12345.60" and case.district_id == "150302"
    assert CaseEvent.objects.filter(case=case, kind="opened").exists()
    assert _events(task, "escalated")[0].data == {"case": case.pk, "note": "多次催缴未果"}


def test_escalate_a_project_task_opens_a_case_against_its_builder(caseworker):
    task = ProjectTaskFactory()
    case = services.task_escalate(task=task, actor=caseworker)
    assert case.employer_uscc == task.evidence["builder_uscc"] and case.case_type == "unenrolled"


def test_escalate_a_person_task_is_refused(caseworker):
    task = PersonTaskFactory()
    with pytest.raises(services.TaskError):
        services.task_escalate(task=task, actor=caseworker)
    assert not EnforcementCase.objects.exists()


def test_escalate_twice_is_refused(caseworker):
    task = OpenTaskFactory()
    services.task_escalate(task=task, actor=caseworker)
    with pytest.raises(services.TaskError):
        services.task_escalate(task=task, actor=caseworker)
    assert EnforcementCase.objects.count() == 1


# --- notices -----------------------------------------------------------------------------


def test_issue_notice_numbers_by_year_sets_due_date_and_keeps_the_pdf(caseworker):
    t1 = OpenTaskFactory(evidence={"sources": ["market", "tax"], "H": 12, "W": "54000.00"})
    t2 = OpenTaskFactory()
    deadline = timezone.localdate() + dt.timedelta(days=15)
    n1 = services.notice_issue(task=t1, actor=caseworker, deadline=deadline)
    n2 = services.notice_issue(task=t2, actor=caseworker, deadline=deadline)
    year = timezone.localdate().year
    assert n1.number == f"乌人社告〔{year}〕0001号" and n2.number == f"乌人社告〔{year}〕0002号"
    t1.refresh_from_db()
    assert t1.status == "notice_issued" and t1.due_date == deadline
    assert (
        "个税扣缴人数：12" in n1.facts and "第五十七条" in n1.legal_basis and "第八十四条" in n1.legal_basis
    )
    assert n1.issuing_office == "乌海市海勃湾区人力资源和社会保障局"
    assert n1.pdf.read(5) == b"%PDF-"
    assert _events(t1, "notice_issued")[0].data["number"] == n1.number


def test_notice_pdf_embeds_a_cjk_font(caseworker, tmp_path):
    notice = services.notice_issue(
        task=OpenTaskFactory(), actor=caseworker, deadline=timezone.localdate() + dt.timedelta(days=10)
    )
    path = tmp_path / "n.pdf"
    path.write_bytes(notice.pdf.read())
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts, fonts
    assert "yes" in fonts.split("CJK", 1)[1].splitlines()[0]  # the emb column
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert notice.number.replace("〔", "").replace("〕", "")[:4] in text.replace("〔", "").replace("〕", "")
    assert "社会保险法" in text and "参保告知书" in text.replace(" ", "")


@pytest.mark.parametrize("days", [0, -1, 367])
def test_notice_deadline_must_be_after_today_and_within_a_year(days, caseworker):
    task = OpenTaskFactory()
    with pytest.raises(services.TaskError):
        services.notice_issue(
            task=task, actor=caseworker, deadline=timezone.localdate() + dt.timedelta(days=days)
        )
    assert not Notice.objects.exists() and Task.objects.get(pk=task.pk).status == "open"


@pytest.mark.parametrize("days", [1, 366])
def test_notice_deadline_boundaries_are_accepted(days, caseworker):
    notice = services.notice_issue(
        task=OpenTaskFactory(), actor=caseworker, deadline=timezone.localdate() + dt.timedelta(days=days)
    )
    assert notice.deadline == timezone.localdate() + dt.timedelta(days=days)


def test_arrears_notice_cites_article_86(caseworker):
    notice = services.notice_issue(
        task=OpenTaskFactory(kind="collect_arrears"),
        actor=caseworker,
        deadline=timezone.localdate() + dt.timedelta(days=10),
    )
    assert (
        notice.kind == "arrears"
        and "第八十六条" in notice.legal_basis
        and "第五十七条" not in notice.legal_basis
    )


def test_notice_on_a_closed_task_is_refused_and_draws_no_number(caseworker):
    with pytest.raises(services.TaskError):
        services.notice_issue(
            task=ClosedTaskFactory(), actor=caseworker, deadline=timezone.localdate() + dt.timedelta(days=10)
        )
    n = services.notice_issue(
        task=OpenTaskFactory(), actor=caseworker, deadline=timezone.localdate() + dt.timedelta(days=10)
    )
    assert n.number.endswith("0001号")


# --- reveal ------------------------------------------------------------------------------


def test_reveal_id_number_returns_it_and_logs_who_what_when(caseworker):
    task = PersonTaskFactory()
    value = services.personal_reveal(task=task, actor=caseworker, field_name="id_number", ip="127.0.0.1")
    assert value == task.subject_key
    [log] = AccessLog.objects.all()
    assert (log.actor, log.field, log.subject_key, log.ip) == (
        caseworker,
        "id_number",
        task.subject_key,
        "127.0.0.1",
    )


def test_reveal_of_an_unknown_field_is_refused_and_not_logged(caseworker):
    with pytest.raises(services.TaskError):
        services.personal_reveal(task=PersonTaskFactory(), actor=caseworker, field_name="password")
    assert not AccessLog.objects.exists()
