"""The lifecycle's transitions, each legal one and each illegal one, and its dates at
their boundaries (statement period, expiry 3 years on incl. 29 February, credit repair
no sooner than 1 year)."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.utils import timezone

from enforcement.blacklist import parameters, services
from enforcement.blacklist.models import BlacklistDelivery
from enforcement.blacklist.services import BlacklistConflict, BlacklistError
from enforcement.blacklist.vocabulary import EventKind, Measure
from enforcement.models import BlacklistEntry, EnforcementCase
from enforcement.services import TaskConflict
from tests.enforcement.blacklist.conftest import make_case
from wuhai_coverage.core.models import Department

pytestmark = pytest.mark.django_db
Status = BlacklistEntry.Status


def kinds(entry: BlacklistEntry) -> list[str]:
    return list(entry.events.values_list("kind", flat=True))


# --- propose ---------------------------------------------------------------------------


def test_propose_takes_the_grounds_from_the_case(inspector):
    case = make_case(
        inspector, case_type="arrears", arrears_amount="12345.67", employer_name="乌海市乌达焦化厂"
    )
    entry = services.blacklist_propose(case=case, actor=inspector, legal_representative="王海")
    assert entry.status == Status.PROPOSED
    assert entry.violation == "arrears"
    assert "乌海市乌达焦化厂" in entry.reason and "12,345.67" in entry.reason
    assert "第八十六条" in entry.legal_basis
    assert (entry.employer_uscc, entry.legal_representative) == (case.employer_uscc, "王海")
    event = entry.events.get()
    assert (event.kind, event.actor, event.data["case"]) == (EventKind.PROPOSED, inspector, case.pk)


@pytest.mark.parametrize(
    "case_type, violation",
    [("unenrolled", "unenrolled"), ("missed", "unenrolled"), ("underreported", "underreported")],
)
def test_each_eligible_case_type_becomes_its_violation(inspector, case_type, violation):
    entry = services.blacklist_propose(case=make_case(inspector, case_type=case_type), actor=inspector)
    assert entry.violation == violation


@pytest.mark.parametrize("status", ["open", "auditing", "order_issued", "rectified", "closed"])
def test_only_an_unrectified_case_may_be_proposed(inspector, status):
    case = make_case(inspector, status=status)
    with pytest.raises(BlacklistConflict, match="仍未整改"):
        services.blacklist_propose(case=case, actor=inspector)
    assert not BlacklistEntry.objects.exists()


def test_a_case_of_another_type_may_not_be_proposed(inspector):
    with pytest.raises(BlacklistConflict, match="不属于"):
        services.blacklist_propose(case=make_case(inspector, case_type="other"), actor=inspector)


def test_the_order_deadline_must_have_passed(inspector):
    today = timezone.localdate()
    with pytest.raises(BlacklistConflict, match="尚未届满"):
        services.blacklist_propose(case=make_case(inspector, order_deadline=today), actor=inspector)
    entry = services.blacklist_propose(
        case=make_case(inspector, order_deadline=today - dt.timedelta(days=1)), actor=inspector
    )
    assert entry.status == Status.PROPOSED


def test_one_live_entry_per_employer(life, inspector):
    entry = life.proposed()
    again = make_case(inspector, employer_uscc=entry.employer_uscc)
    with pytest.raises(BlacklistConflict, match="已有"):
        services.blacklist_propose(case=again, actor=inspector)


def test_conflict_is_the_projects_conflict_error():
    assert issubclass(BlacklistConflict, TaskConflict)
    assert issubclass(BlacklistConflict, BlacklistError)


# --- prior notice and the statement period -----------------------------------------------


def test_notify_numbers_the_notice_in_its_own_yearly_series(life, inspector):
    first = services.blacklist_notify(entry=life.proposed(), actor=inspector)
    second = services.blacklist_notify(entry=life.proposed(), actor=inspector)
    year = timezone.localdate().year
    assert first.notice_number == f"乌人社失告〔{year}〕0001号"
    assert second.notice_number == f"乌人社失告〔{year}〕0002号"
    assert first.status == Status.NOTIFIED and first.notice_pdf
    assert kinds(first) == [EventKind.PROPOSED, EventKind.NOTIFIED]


def test_the_statement_period_is_the_parameters_working_days(life, inspector, monkeypatch, settings):
    from enforcement.workdays import selectors as workdays

    asked = []

    def fake_add(start, n):
        asked.append((start, n))
        return start + dt.timedelta(days=10)

    monkeypatch.setattr(workdays, "working_days_add", fake_add)
    settings.BLACKLIST_STATEMENT_WORKING_DAYS = 7
    entry = services.blacklist_notify(entry=life.proposed(), actor=inspector)
    today = timezone.localdate()
    assert asked == [(today, 7)]
    assert entry.statement_deadline == today + dt.timedelta(days=10)


def test_the_statement_period_skips_a_holiday_and_counts_a_make_up_saturday(life, inspector, travel):
    from enforcement.models import WorkCalendarDay

    # Notified on Monday 15 June 2026: five working days end on Monday 22 June…
    assert services.blacklist_notify(entry=life.proposed(), actor=inspector).statement_deadline == dt.date(
        2026, 6, 22
    )
    # …but with Friday 19 June a holiday, on Tuesday 23 June…
    WorkCalendarDay.objects.create(date=dt.date(2026, 6, 19), kind="holiday", name="端午节")
    assert services.blacklist_notify(entry=life.proposed(), actor=inspector).statement_deadline == dt.date(
        2026, 6, 23
    )
    # …and with Saturday 20 June a make-up workday, on Monday 22 June again.
    WorkCalendarDay.objects.create(date=dt.date(2026, 6, 20), kind="workday", name="端午节调休")
    assert services.blacklist_notify(entry=life.proposed(), actor=inspector).statement_deadline == dt.date(
        2026, 6, 22
    )


def test_notify_twice_is_a_conflict(life, inspector):
    entry = life.notified()
    with pytest.raises(BlacklistConflict, match="已告知"):
        services.blacklist_notify(entry=entry, actor=inspector)
    assert kinds(entry).count(EventKind.NOTIFIED) == 1


def test_statement_on_the_last_day_goes_to_review(life, inspector, travel):
    entry = life.notified()
    travel(entry.statement_deadline)
    with pytest.raises(BlacklistConflict, match="尚未届满"):
        services.blacklist_close_statement_period(entry=entry, actor=inspector)
    entry = services.blacklist_record_statement(entry=entry, actor=inspector, statement="已于本周补办登记")
    assert entry.status == Status.UNDER_REVIEW and entry.statement == "已于本周补办登记"
    assert kinds(entry)[-1] == EventKind.STATEMENT


def test_the_day_after_the_period_only_the_lapse(life, inspector, travel):
    entry = life.notified()
    travel(entry.statement_deadline + dt.timedelta(days=1))
    with pytest.raises(BlacklistConflict, match="已于"):
        services.blacklist_record_statement(entry=entry, actor=inspector, statement="迟到的申辩")
    entry = services.blacklist_close_statement_period(entry=entry, actor=inspector)
    assert entry.status == Status.UNDER_REVIEW and entry.statement == ""
    assert kinds(entry)[-1] == EventKind.PERIOD_LAPSED


def test_a_statement_needs_text(life, inspector):
    with pytest.raises(BlacklistError, match="陈述申辩内容"):
        services.blacklist_record_statement(entry=life.notified(), actor=inspector, statement="  ")


@pytest.mark.parametrize("state", ["proposed", "under_review", "listed"])
def test_statement_and_lapse_only_while_notified(life, inspector, state, travel):
    entry = getattr(life, state)()
    travel(timezone.localdate() + dt.timedelta(days=30))
    with pytest.raises(BlacklistConflict):
        services.blacklist_record_statement(entry=entry, actor=inspector, statement="x")
    with pytest.raises(BlacklistConflict):
        services.blacklist_close_statement_period(entry=entry, actor=inspector)


# --- review ----------------------------------------------------------------------------


def test_approve_lists_for_three_years_and_tells_every_partner(life, manager):
    entry = life.under_review()
    chosen = [Measure.BIDDING, Measure.KEY_SUPERVISION]
    entry = services.blacklist_approve(entry=entry, actor=manager, decision="决定列入", measures=chosen)
    today = timezone.localdate()
    assert entry.status == Status.PUBLISHED
    assert entry.listed_on == today and entry.expires_on == today.replace(year=today.year + 3)
    assert entry.measures == [Measure.KEY_SUPERVISION, Measure.BIDDING]  # in the declared order
    assert (entry.reviewed_by, entry.decision) == (manager, "决定列入")
    deliveries = BlacklistDelivery.objects.filter(entry=entry)
    assert sorted(deliveries.values_list("department", flat=True)) == sorted(Department.values)
    assert set(deliveries.values_list("change", flat=True)) == {"listed"}


def test_listed_on_29_february_expires_on_28_february(life, manager, travel):
    entry = life.under_review()
    travel(dt.date(2028, 2, 29))
    entry = services.blacklist_approve(entry=entry, actor=manager, decision="决定列入", measures=["bidding"])
    assert (entry.listed_on, entry.expires_on) == (dt.date(2028, 2, 29), dt.date(2031, 2, 28))


def test_the_listing_period_is_a_parameter(life, manager, settings):
    settings.BLACKLIST_LISTING_YEARS = 5
    entry = services.blacklist_approve(
        entry=life.under_review(), actor=manager, decision="决定列入", measures=["bidding"]
    )
    assert entry.expires_on == entry.listed_on.replace(year=entry.listed_on.year + 5)


def test_approve_needs_a_decision_and_a_known_measure(life, manager):
    entry = life.under_review()
    with pytest.raises(BlacklistError, match="审核决定"):
        services.blacklist_approve(entry=entry, actor=manager, decision="", measures=["bidding"])
    with pytest.raises(BlacklistError, match="至少"):
        services.blacklist_approve(entry=entry, actor=manager, decision="列入", measures=[])
    with pytest.raises(BlacklistError, match="未知"):
        services.blacklist_approve(entry=entry, actor=manager, decision="列入", measures=["jail"])
    assert BlacklistEntry.objects.get(pk=entry.pk).status == Status.UNDER_REVIEW


def test_reject_keeps_the_reasons_and_frees_the_employer(life, manager, inspector):
    entry = services.blacklist_reject(entry=life.under_review(), actor=manager, decision="已全部补缴")
    assert entry.status == Status.REJECTED and entry.decision == "已全部补缴"
    assert not BlacklistDelivery.objects.exists()
    again = services.blacklist_propose(
        case=make_case(inspector, employer_uscc=entry.employer_uscc), actor=inspector
    )
    assert again.status == Status.PROPOSED


@pytest.mark.parametrize("state", ["proposed", "notified", "listed"])
def test_review_only_under_review(life, manager, state):
    entry = getattr(life, state)()
    with pytest.raises(BlacklistConflict):
        services.blacklist_approve(entry=entry, actor=manager, decision="列入", measures=["bidding"])
    with pytest.raises(BlacklistConflict):
        services.blacklist_reject(entry=entry, actor=manager, decision="不列入")


def test_a_rejected_entry_cannot_be_approved(life, manager):
    entry = services.blacklist_reject(entry=life.under_review(), actor=manager, decision="不列入")
    with pytest.raises(BlacklistConflict, match="不予列入"):
        services.blacklist_approve(entry=entry, actor=manager, decision="列入", measures=["bidding"])


# --- credit repair ----------------------------------------------------------------------


def test_credit_repair_not_before_one_year(life, inspector, manager, travel):
    entry = life.listed()
    earliest = entry.listed_on.replace(year=entry.listed_on.year + 1)
    travel(earliest - dt.timedelta(days=1))
    with pytest.raises(BlacklistConflict, match="起"):
        services.blacklist_apply_repair(
            entry=entry, actor=inspector, application="已整改", rectified=True, paid=True
        )
    travel(earliest)
    entry = services.blacklist_apply_repair(
        entry=entry, actor=inspector, application="已补缴全部欠费", rectified=True, paid=True
    )
    entry = services.blacklist_approve_repair(entry=entry, actor=manager, decision="同意修复")
    assert entry.status == Status.REMOVED and "同意修复" in entry.removal_reason
    assert kinds(entry)[-2:] == [EventKind.REPAIR_APPLIED, EventKind.REPAIR_APPROVED]
    removed = BlacklistDelivery.objects.filter(entry=entry, change="removed")
    assert removed.count() == len(Department.values)


def test_repair_approval_rechecks_the_year(life, inspector, manager, travel, settings):
    entry = life.listed()
    travel(entry.listed_on.replace(year=entry.listed_on.year + 1))
    entry = services.blacklist_apply_repair(
        entry=entry, actor=inspector, application="x", rectified=True, paid=True
    )
    settings.BLACKLIST_REPAIR_AFTER_YEARS = 2
    with pytest.raises(BlacklistConflict):
        services.blacklist_approve_repair(entry=entry, actor=manager, decision="同意")


def test_repair_needs_rectified_and_paid(life, inspector, travel):
    entry = life.listed()
    travel(entry.listed_on.replace(year=entry.listed_on.year + 2))
    for rectified, paid in ((False, True), (True, False)):
        with pytest.raises(BlacklistError, match="整改"):
            services.blacklist_apply_repair(
                entry=entry, actor=inspector, application="x", rectified=rectified, paid=paid
            )


def test_repair_approval_needs_an_application(life, manager, travel):
    entry = life.listed()
    travel(entry.listed_on.replace(year=entry.listed_on.year + 2))
    with pytest.raises(BlacklistConflict, match="没有"):
        services.blacklist_approve_repair(entry=entry, actor=manager, decision="同意")
    with pytest.raises(BlacklistConflict, match="没有"):
        services.blacklist_reject_repair(entry=entry, actor=manager, decision="不同意")


def test_a_refused_repair_leaves_it_listed_and_may_be_applied_again(life, inspector, manager, travel):
    entry = life.listed()
    travel(entry.listed_on.replace(year=entry.listed_on.year + 2))
    services.blacklist_apply_repair(entry=entry, actor=inspector, application="x", rectified=True, paid=True)
    with pytest.raises(BlacklistConflict, match="待审核"):
        services.blacklist_apply_repair(
            entry=entry, actor=inspector, application="y", rectified=True, paid=True
        )
    entry = services.blacklist_reject_repair(entry=entry, actor=manager, decision="欠费未清")
    assert entry.status == Status.PUBLISHED and entry.repair_applied_at is None
    entry = services.blacklist_apply_repair(
        entry=entry, actor=inspector, application="y", rectified=True, paid=True
    )
    assert entry.repair_applied_at is not None


@pytest.mark.parametrize("state", ["proposed", "notified", "under_review"])
def test_repair_only_when_listed(life, inspector, state):
    with pytest.raises(BlacklistConflict):
        services.blacklist_apply_repair(
            entry=getattr(life, state)(), actor=inspector, application="x", rectified=True, paid=True
        )


# --- the nightly job ---------------------------------------------------------------------


def test_nightly_removes_on_the_expiry_day_not_before(life, travel):
    entry = life.listed()
    travel(entry.expires_on - dt.timedelta(days=1))
    assert services.blacklist_nightly() == {"expired": 0, "lapsed": 0}
    travel(entry.expires_on)
    assert services.blacklist_nightly() == {"expired": 1, "lapsed": 0}
    entry.refresh_from_db()
    assert entry.status == Status.REMOVED and entry.removal_reason == "期满移出"
    event = entry.events.last()
    assert (event.kind, event.actor) == (EventKind.EXPIRED, None)
    assert services.blacklist_nightly() == {"expired": 0, "lapsed": 0}  # safe to repeat


def test_nightly_sends_a_lapsed_period_to_review(life, travel):
    entry = life.notified()
    travel(entry.statement_deadline)
    assert services.blacklist_nightly()["lapsed"] == 0
    travel(entry.statement_deadline + dt.timedelta(days=1))
    assert services.blacklist_nightly()["lapsed"] == 1
    entry.refresh_from_db()
    assert entry.status == Status.UNDER_REVIEW


def test_the_nightly_job_is_scheduled(settings):
    jobs = {job["task"] for job in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "enforcement.blacklist.tasks.blacklist_nightly_task" in jobs


def test_the_task_runs_the_nightly(life, travel):
    from enforcement.blacklist.tasks import blacklist_nightly_task

    entry = life.listed()
    travel(entry.expires_on)
    assert blacklist_nightly_task.apply().get() == {"expired": 1, "lapsed": 0}


# --- parameters and the PDF --------------------------------------------------------------


@pytest.mark.parametrize(
    "day, years, expected",
    [
        (dt.date(2026, 6, 15), 3, dt.date(2029, 6, 15)),
        (dt.date(2028, 2, 29), 3, dt.date(2031, 2, 28)),
        (dt.date(2028, 2, 29), 4, dt.date(2032, 2, 29)),
        (dt.date(2027, 2, 28), 1, dt.date(2028, 2, 28)),
        (dt.date(2026, 12, 31), 1, dt.date(2027, 12, 31)),
    ],
)
def test_add_years(day, years, expected):
    assert parameters.add_years(day, years) == expected


def test_parameters_default_without_settings(settings):
    for name in parameters.DEFAULTS:
        delattr(settings, name)
    assert (
        parameters.statement_working_days(),
        parameters.listing_years(),
        parameters.repair_after_years(),
    ) == (
        5,
        3,
        1,
    )


def test_the_prior_notice_is_a_chinese_pdf_with_embedded_cjk_fonts(life, inspector, tmp_path, real_pdf):
    entry = services.blacklist_notify(entry=life.proposed(), actor=inspector)
    content = entry.notice_pdf.read()
    assert content.startswith(b"%PDF")
    path = tmp_path / "notice.pdf"
    path.write_bytes(content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "失信人名单列入告知书" in text.replace("\n", "") and entry.notice_number in text
    assert entry.employer_name in text


def test_case_is_untouched_by_the_lifecycle(life):
    entry = life.listed()
    assert EnforcementCase.objects.get(pk=entry.case_id).status == EnforcementCase.Status.UNRECTIFIED
