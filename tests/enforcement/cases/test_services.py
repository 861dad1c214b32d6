"""The case services: every step writes a CaseEvent; every illegal transition is a
CaseConflict (409); bad input a CaseError (400)."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from enforcement import services as task_services
from enforcement.cases import services
from enforcement.cases.models import CaseDocument
from enforcement.models import CaseEvent, EnforcementCase, Task
from tests.enforcement.cases import factories as f
from tests.factories import OpenTaskFactory, make_uscc, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pdf(fast_pdf):
    return None


def _kinds(case) -> list[str]:
    return list(CaseEvent.objects.filter(case_id=case.pk).order_by("at", "id").values_list("kind", flat=True))


# --- opening ---------------------------------------------------------------------------


def test_an_inspector_opens_a_case_for_a_registry_employer(inspector):
    employer = f.registry_employer(name="乌海市海勃湾煤焦有限公司")
    case = services.case_open(
        actor=inspector, uscc=employer.uscc.lower(), case_type="unenrolled", note="举报线索"
    )
    assert (case.employer_name, case.district_id, case.inspector, case.status) == (
        "乌海市海勃湾煤焦有限公司",
        "150302",
        inspector,
        "open",
    )
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.actor, event.data["note"], event.data["registry"]) == (
        "opened",
        inspector,
        "举报线索",
        True,
    )


def test_opening_needs_a_valid_uscc(inspector):
    with pytest.raises(services.CaseError):
        services.case_open(actor=inspector, uscc="123", case_type="unenrolled")
    uscc = make_uscc()
    wrong_check = uscc[:-1] + ("A" if uscc[-1] != "A" else "B")
    with pytest.raises(services.CaseError, match="校验位"):
        services.case_open(actor=inspector, uscc=wrong_check, case_type="unenrolled", name="x")
    assert not EnforcementCase.objects.exists()


def test_an_employer_outside_the_registry_needs_a_name(inspector):
    uscc = make_uscc()
    with pytest.raises(services.CaseError, match="单位名称"):
        services.case_open(actor=inspector, uscc=uscc, case_type="unenrolled")
    case = services.case_open(actor=inspector, uscc=uscc, case_type="arrears", name="乌海市某商贸有限公司")
    assert (case.employer_name, case.district_id) == ("乌海市某商贸有限公司", None)


def test_a_second_open_case_for_the_same_employer_is_a_conflict(inspector):
    case = f.open_case(inspector)
    with pytest.raises(services.CaseConflict, match=str(case.pk)):
        services.case_open(actor=inspector, uscc=case.employer_uscc, case_type="unenrolled")


def test_an_unknown_case_type_is_refused(inspector):
    with pytest.raises(services.CaseError):
        services.case_open(actor=inspector, uscc=f.registry_employer().uscc, case_type="nope")


def test_escalating_a_task_opens_a_linked_case_with_an_event(caseworker, fast_pdf):
    task = OpenTaskFactory(kind="enroll_employer")
    case = task_services.task_escalate(task=task, actor=caseworker, note="拒不参保")
    assert case.task_id == task.pk and list(task.cases.all()) == [case]
    assert case.inspector is None and case.updated_at is not None
    assert CaseEvent.objects.get(case=case).data == {"from_task": task.pk, "note": "拒不参保"}


def test_an_inspector_takes_a_case_and_taking_it_twice_is_a_conflict(inspector, caseworker):
    case = task_services.task_escalate(task=OpenTaskFactory(), actor=caseworker)
    case = services.case_assign(case=case, actor=inspector, inspector=inspector)
    assert case.inspector == inspector and _kinds(case) == ["opened", "inspector"]
    with pytest.raises(services.CaseConflict):
        services.case_assign(case=case, actor=inspector, inspector=inspector)
    with pytest.raises(services.CaseError):
        services.case_assign(case=case, actor=inspector, inspector=caseworker)


# --- violations and findings ---------------------------------------------------------


def test_a_violation_is_recorded_once_and_withdrawn_with_a_reason(inspector):
    case = f.with_violation(inspector)
    with pytest.raises(services.CaseConflict):
        services.case_record_violation(case=case, actor=inspector, kind="not_enrolled", description="again")
    violation = case.violations.get()
    with pytest.raises(services.CaseError):
        services.case_withdraw_violation(case=case, actor=inspector, violation=violation, reason=" ")
    services.case_withdraw_violation(case=case, actor=inspector, violation=violation, reason="核实已参保")
    with pytest.raises(services.CaseConflict):
        services.case_withdraw_violation(case=case, actor=inspector, violation=violation, reason="again")
    # withdrawn, the kind may be recorded again; the withdrawn row stays in the file
    services.case_record_violation(case=case, actor=inspector, kind="not_enrolled", description="重新认定")
    assert case.violations.count() == 2
    assert _kinds(case) == ["opened", "violation", "violation_withdrawn", "violation"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"kind": "nope"}, "违法行为类型"),
        ({"description": "  "}, "情况说明"),
        ({"period_from": dt.date(2026, 5, 1), "period_to": dt.date(2026, 4, 1)}, "起始时间"),
        ({"period_from": dt.date(2027, 1, 1)}, "今天"),
    ],
)
def test_a_bad_violation_is_refused(inspector, kwargs, message):
    case = f.open_case(inspector)
    data = {"kind": "arrears", "description": "欠费", **kwargs}
    with pytest.raises(services.CaseError, match=message):
        services.case_record_violation(case=case, actor=inspector, **data)
    assert _kinds(case) == ["opened"]


def test_a_finding_moves_an_open_case_to_auditing_and_keeps_the_first_of_the_month(inspector):
    case = f.open_case(inspector)
    finding = services.case_record_finding(
        case=case,
        actor=inspector,
        source="third_party",
        period=dt.date(2026, 3, 17),
        verified_headcount=30,
        verified_monthly_base=Decimal("120000.50"),
    )
    assert finding.period == dt.date(2026, 3, 1)
    case.refresh_from_db()
    assert case.status == "auditing"
    event = CaseEvent.objects.filter(case=case, kind="finding").get()
    assert event.data["source"] == "third_party" and event.data["verified_monthly_base"] == "120000.50"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"source": "rumour"},
        {"period": dt.date(2026, 7, 1)},  # next month (the suite's today is 2026-06-15)
        {"verified_headcount": -1},
        {"verified_monthly_base": Decimal("-1")},
        {"verified_monthly_base": Decimal("1.001")},
    ],
)
def test_a_bad_finding_is_refused(inspector, kwargs):
    case = f.open_case(inspector)
    data = {
        "source": "audit",
        "period": dt.date(2026, 5, 1),
        "verified_headcount": 3,
        "verified_monthly_base": Decimal("9000"),
        **kwargs,
    }
    with pytest.raises(services.CaseError):
        services.case_record_finding(case=case, actor=inspector, **data)
    assert not case.case_findings.exists()


def test_the_current_month_is_a_valid_period(inspector):
    case = f.open_case(inspector)
    services.case_record_finding(
        case=case,
        actor=inspector,
        source="joint",
        period=timezone.localdate(),
        verified_headcount=1,
        verified_monthly_base=Decimal("0"),
    )


# --- attachments -----------------------------------------------------------------------


def _xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("稽核报告.pdf", b"%PDF-1.7\n...", "application/pdf"),
        ("photo.JPG", b"\xff\xd8\xff\xe0" + b"0" * 20, "image/jpeg"),
        ("现场.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, "image/png"),
        ("工资表.xlsx", _xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_an_attachment_of_each_type_is_kept_privately(inspector, name, content, content_type):
    case = f.open_case(inspector)
    attachment = services.case_add_attachment(
        case=case, actor=inspector, upload=SimpleUploadedFile(name, content), description="证据"
    )
    assert (attachment.content_type, attachment.original_name, attachment.size) == (
        content_type,
        name,
        len(content),
    )
    assert attachment.file.read() == content
    assert "case-" in attachment.file.name and name not in attachment.file.name
    assert CaseEvent.objects.filter(case=case, kind="attachment").get().data["sha256"] == attachment.sha256


@pytest.mark.parametrize(
    "name, content",
    [
        ("evil.pdf", b"MZ\x90\x00 an executable"),
        ("fake.xlsx", b"PK\x03\x04 not a zip at all"),
        ("doc.docx.xlsx", b"<html>"),
        ("empty.pdf", b""),
    ],
)
def test_an_attachment_is_typed_by_its_bytes_not_its_name(inspector, name, content):
    case = f.open_case(inspector)
    with pytest.raises(services.CaseError):
        services.case_add_attachment(case=case, actor=inspector, upload=SimpleUploadedFile(name, content))
    assert not case.attachments.exists()


def test_an_attachment_at_the_limit_is_taken_and_one_byte_more_is_not(inspector, settings):
    settings.CASE_ATTACHMENT_MAX_BYTES = 64
    case = f.open_case(inspector)
    at_limit = b"%PDF-" + b"0" * 59
    services.case_add_attachment(case=case, actor=inspector, upload=SimpleUploadedFile("a.pdf", at_limit))
    with pytest.raises(services.CaseError, match="过大"):
        services.case_add_attachment(
            case=case, actor=inspector, upload=SimpleUploadedFile("b.pdf", at_limit + b"0")
        )


# --- the order, rectification, the nightly job -----------------------------------------


def test_an_order_needs_a_violation(inspector, pdf):
    case = f.open_case(inspector)
    with pytest.raises(services.CaseConflict, match="违法行为"):
        services.case_issue_order(case=case, actor=inspector)
    assert not CaseDocument.objects.exists()


@pytest.mark.parametrize("days", [0, 61])
def test_an_order_period_outside_1_to_60_working_days_is_refused(inspector, pdf, days):
    case = f.with_violation(inspector)
    with pytest.raises(services.CaseError):
        services.case_issue_order(case=case, actor=inspector, working_days=days)


def test_an_order_is_numbered_dated_in_working_days_and_kept(inspector, pdf):
    case = f.with_finding(inspector)
    document = services.case_issue_order(case=case, actor=inspector, working_days=10)
    case.refresh_from_db()
    # 2026-06-15 is a Monday: ten working days later is Monday 2026-06-29 (no holiday between)
    assert case.status == "order_issued" and case.order_deadline == dt.date(2026, 6, 29)
    assert document.number == "乌人社监令〔2026〕0001号" and document.deadline == case.order_deadline
    assert "实际用工12人" in document.facts and "核定月缴费基数合计48,000.00元" in document.facts
    assert "第五十八条" in document.legal_basis and "第八十四条" in document.legal_basis
    assert document.pdf.read().startswith(b"%PDF")
    assert _kinds(case)[-2:] == ["document", "order_issued"]
    second = services.case_issue_order(case=f.with_violation(inspector), actor=inspector)
    assert second.number == "乌人社监令〔2026〕0002号"


def test_an_order_twice_is_a_conflict(inspector, pdf):
    case = f.order_issued(inspector)
    with pytest.raises(services.CaseConflict):
        services.case_issue_order(case=case, actor=inspector)


def test_the_nightly_job_moves_only_orders_past_their_deadline_and_only_once(inspector, pdf):
    case = f.order_issued(inspector)
    assert services.case_overdue_orders_mark(today=case.order_deadline) == []  # the last day is still in time
    assert services.case_overdue_orders_mark(today=case.order_deadline + dt.timedelta(days=1)) == [case.pk]
    assert services.case_overdue_orders_mark(today=case.order_deadline + dt.timedelta(days=2)) == []
    case.refresh_from_db()
    assert case.status == "unrectified"
    event = CaseEvent.objects.get(case=case, kind="unrectified")
    assert event.actor is None and event.data["deadline"] == case.order_deadline.isoformat()


def test_rectified_in_time_or_late(inspector, pdf):
    case = f.rectified(inspector)
    assert case.status == "rectified"
    late = f.unrectified(inspector, f.with_violation(inspector))
    late = services.case_mark_rectified(case=late, actor=inspector, what_changed="已补办")
    assert late.status == "rectified"
    assert CaseEvent.objects.filter(case=late, kind="rectified").get().data["late"] is True


@pytest.mark.parametrize("state", ["open_case", "with_finding", "rectified"])
def test_rectified_before_an_order_or_twice_is_a_conflict(inspector, pdf, state):
    case = getattr(f, state)(inspector)
    with pytest.raises(services.CaseConflict):
        services.case_mark_rectified(case=case, actor=inspector, what_changed="x")


def test_a_penalty_notice_only_once_unrectified(inspector, pdf):
    case = f.order_issued(inspector)
    with pytest.raises(services.CaseConflict):
        services.case_issue_penalty_notice(case=case, actor=inspector)
    case = f.unrectified(inspector, f.with_violation(inspector, kind="arrears"))
    with pytest.raises(services.CaseError):
        services.case_issue_penalty_notice(case=case, actor=inspector, proposed_fine=Decimal("0"))
    document = services.case_issue_penalty_notice(case=case, actor=inspector, proposed_fine=Decimal("30000"))
    assert document.number == "乌人社罚告〔2026〕0001号"
    assert "30,000.00" in document.decision and "第八十六条" in document.legal_basis


def test_a_violation_cannot_be_withdrawn_once_the_order_cites_it(inspector, pdf):
    case = f.order_issued(inspector)
    with pytest.raises(services.CaseConflict):
        services.case_withdraw_violation(
            case=case, actor=inspector, violation=case.violations.get(), reason="x"
        )


# --- closing ---------------------------------------------------------------------------


def test_closing_with_no_violation_needs_none_held_and_a_note(inspector):
    case = f.open_case(inspector)
    with pytest.raises(services.CaseError):
        services.case_close(case=case, actor=inspector, outcome="no_violation")
    closed = services.case_close(case=case, actor=inspector, outcome="no_violation", note="核查属实已参保")
    assert (closed.status, closed.outcome_kind, closed.closed_at is not None) == (
        "closed",
        "no_violation",
        True,
    )
    held = f.with_violation(inspector)
    with pytest.raises(services.CaseConflict, match="无违法行为"):
        services.case_close(case=held, actor=inspector, outcome="no_violation", note="x")


@pytest.mark.parametrize(
    "state, outcome, allowed",
    [
        ("rectified", "rectified", True),
        ("rectified", "paid", True),
        ("rectified", "court", False),
        ("unrectified", "court", True),
        ("unrectified", "paid", True),
        ("unrectified", "rectified", False),
        ("order_issued", "rectified", False),
        ("order_issued", "court", False),
        ("with_finding", "paid", False),
    ],
)
def test_which_outcome_from_which_status(inspector, pdf, state, outcome, allowed):
    case = getattr(f, state)(inspector)
    if allowed:
        assert (
            services.case_close(case=case, actor=inspector, outcome=outcome, note="说明").status == "closed"
        )
        assert _kinds(case)[-1] == "closed"
    else:
        with pytest.raises(services.CaseConflict):
            services.case_close(case=case, actor=inspector, outcome=outcome, note="说明")


def test_a_closed_case_takes_no_more_steps_but_a_note(inspector, pdf):
    case = services.case_close(case=f.rectified(inspector), actor=inspector, outcome="rectified")
    for step in (
        lambda: services.case_record_violation(case=case, actor=inspector, kind="arrears", description="x"),
        lambda: services.case_record_finding(
            case=case,
            actor=inspector,
            source="audit",
            period=dt.date(2026, 5, 1),
            verified_headcount=1,
            verified_monthly_base=Decimal(1),
        ),
        lambda: services.case_add_attachment(
            case=case, actor=inspector, upload=SimpleUploadedFile("a.pdf", b"%PDF-1")
        ),
        lambda: services.case_close(case=case, actor=inspector, outcome="paid"),
        lambda: services.case_assign(case=case, actor=inspector, inspector=make_user("inspector")),
    ):
        with pytest.raises(services.CaseConflict):
            step()
    services.case_add_note(case=case, actor=inspector, note="归档")


def test_closing_an_escalated_case_as_rectified_closes_its_task(caseworker, inspector, pdf):
    task = OpenTaskFactory()
    case = task_services.task_escalate(task=task, actor=caseworker)
    case = f.rectified(inspector, f.with_violation(inspector, case))
    services.case_close(case=case, actor=inspector, outcome="paid")
    task.refresh_from_db()
    assert (task.status, task.resolution) == ("closed", "rectified")
    assert task.events.filter(kind="rectified").exists()


def test_an_unknown_outcome_is_refused(inspector):
    with pytest.raises(services.CaseError):
        services.case_close(case=f.open_case(inspector), actor=inspector, outcome="pardoned")


# --- the PDF itself --------------------------------------------------------------------


def test_the_order_pdf_is_a_chinese_a4_document_with_embedded_fonts(inspector, tmp_path):
    case = f.with_finding(inspector)
    document = services.case_issue_order(case=case, actor=inspector, working_days=10)
    path = tmp_path / "order.pdf"
    path.write_bytes(document.pdf.read())
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts and "yes" in fonts.split("CJK", 1)[1].splitlines()[0]
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    flat = text.stdout.replace(" ", "")
    for words in (
        "限期改正指令书",
        "社会保险法",
        "劳动保障监察条例",
        "六十日内",
        "六个月内",
        "2026年6月29日",
    ):
        assert words in flat, words


def test_case_events_belong_to_the_timeline_vocabulary(inspector, pdf):
    from enforcement.cases.models import CaseEventKind

    case = f.unrectified(inspector)
    assert set(_kinds(case)) <= set(CaseEventKind.values)
    assert Task.objects.count() == 0


def test_the_order_deadline_counts_working_days_across_a_holiday_and_a_make_up_saturday(inspector, pdf):
    from enforcement.models import WorkCalendarDay

    # Given 端午 2026-06-19 (Fri) a holiday and Sunday 2026-06-21 a make-up workday
    WorkCalendarDay.objects.create(date=dt.date(2026, 6, 19), kind="holiday", name="端午节")
    WorkCalendarDay.objects.create(date=dt.date(2026, 6, 21), kind="workday", name="端午节调休")
    case = f.with_violation(inspector)
    # When an order of 5 working days is issued on Monday 2026-06-15
    services.case_issue_order(case=case, actor=inspector, working_days=5)
    case.refresh_from_db()
    # Then 16, 17, 18 (Tue–Thu), 21 (Sun, make-up), 22 (Mon): the 19th does not count
    assert case.order_deadline == dt.date(2026, 6, 22)
