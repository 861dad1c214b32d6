"""Demo data of enforcement: one comparison run over the demo snapshots, so that the
portal starts with tasks, and an inspector's cases and blacklist entry
(settings.DEMO_DATA_LOADERS, after enrollment's rosters and registry)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Case, When
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.comparison.engine import RunInProgress, run_comparison
from enforcement.models import ComparisonRun, EnforcementCase
from enrollment.models import Employer
from wuhai_coverage.core.models import Role, User

WUHAI = ZoneInfo("Asia/Shanghai")


def run_demo_comparison(*, seed: int = 17, scale: float = 1.0) -> str:
    if ComparisonRun.objects.filter(status=ComparisonRun.Status.FINISHED).exists():
        return _("演示比对已运行")
    try:
        summary = run_comparison(trigger="demo")
    except RunInProgress:
        return _("比对正在运行")
    return _("演示比对 #%(run)s：新开任务 %(opened)s 件（%(seconds)s 秒）") % {
        "run": summary.run_id,
        "opened": sum(summary.opened.values()),
        "seconds": summary.duration_s,
    }


# --- Cases and the blacklist ------------------------------------------------------------
# An inspector's worklist as it stands after a few weeks of work: a case whose order runs
# with an arrears statement, a case whose order lapsed (ready to propose), an employer on
# the published blacklist, and a case just opened. Every step is the services' own; only
# the clock is set back while the history is written (the demo's past), so that the dates,
# the documents' numbers and deadlines, and the timelines agree with each other.
DEMO_CASE_NOTE = "演示案件"  # the note of the demo's cases: a second load finds them and stops


@contextmanager
def _as_of(instant: dt.datetime) -> Iterator[None]:
    """Django's clock (timezone.now, and localdate through it) reads `instant` inside."""
    with mock.patch("django.utils.timezone.now", return_value=instant):
        yield


def _day(today: dt.date, days_ago: int, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(hour), tzinfo=WUHAI)


def _month_start(day: dt.date, back: int) -> dt.date:
    month = day.year * 12 + day.month - 1 - back
    return dt.date(month // 12, month % 12 + 1, 1)


def _opened(
    inspector: User, employer: Employer, case_type: str, kind: str, what: str, at: dt.datetime
) -> EnforcementCase:
    from enforcement.cases import services as cases

    with _as_of(at):
        case = cases.case_open(actor=inspector, uscc=employer.uscc, case_type=case_type, note=DEMO_CASE_NOTE)
        cases.case_record_violation(case=case, actor=inspector, kind=kind, description=what)
        for back in (2, 1):
            cases.case_record_finding(
                case=case,
                actor=inspector,
                source="joint",
                period=_month_start(at.date(), back),
                verified_headcount=12,
                verified_monthly_base=Decimal("54000.00"),
                declared_headcount=4,
                declared_monthly_base=Decimal("14400.00"),
            )
    return case


def _lapsed(inspector: User, case: EnforcementCase, *, issued: dt.datetime) -> EnforcementCase:
    """The order issued at `issued` (10 working days), and the nightly job the day after
    its deadline finding it unrectified."""
    from enforcement.cases import services as cases

    with _as_of(issued):
        cases.case_issue_order(case=case, actor=inspector, working_days=10)
    case.refresh_from_db()
    assert case.order_deadline is not None
    night = dt.datetime.combine(case.order_deadline + dt.timedelta(days=1), dt.time(1, 30), tzinfo=WUHAI)
    with _as_of(night):
        cases.case_overdue_orders_mark(today=night.date())
    case.refresh_from_db()
    return case


@transaction.atomic  # all or nothing: a half-made demo would stop the next load (its notes are there)
def load_demo_cases(*, seed: int = 17, scale: float = 1.0) -> str:
    """Demo loader (settings.DEMO_DATA_LOADERS, after the registry and the holidays)."""
    from enforcement.blacklist import services as blacklist
    from enforcement.blacklist.vocabulary import Measure
    from enforcement.cases import services as cases

    if EnforcementCase.objects.filter(events__data__note=DEMO_CASE_NOTE).exists():
        return _("演示案件已存在")
    inspector = User.objects.filter(username="inspector", role=Role.INSPECTOR).first()
    manager = User.objects.filter(username="manager", role=Role.CITY_MANAGER).first()
    busy = EnforcementCase.objects.values("employer_uscc")
    employers = list(
        # Companies first (the registry also holds associations and the like).
        Employer.objects.filter(district__isnull=False)
        .exclude(uscc__in=busy)
        .order_by(Case(When(name__endswith="公司", then=0), default=1), "uscc")[:4]
    )
    if inspector is None or manager is None or len(employers) < 4:
        return _("没有演示监察员、管理人员或足够的用人单位，未生成演示案件")
    today = timezone.localdate()

    # 1. An order running, with an arrears statement and a partial payment.
    running = _opened(
        inspector, employers[0], "arrears", "arrears", "核定欠缴两个月社会保险费", _day(today, 20)
    )
    with _as_of(_day(today, 12)):
        for back in (2, 1):
            period = _month_start(_day(today, 20).date(), back)
            cases.case_arrears_period_set(case=running, actor=inspector, period=f"{period:%Y%m}")
        cases.case_payment_record(
            case=running, actor=inspector, paid_on=_day(today, 13).date(), amount=Decimal("5000.00")
        )
    with _as_of(_day(today, 3)):
        cases.case_issue_order(case=running, actor=inspector, working_days=15)

    # 2. An order lapsed: ready to propose.
    ready = _opened(
        inspector, employers[1], "unenrolled", "not_enrolled", "实际用工12人，仅4人参保", _day(today, 40)
    )
    _lapsed(inspector, ready, issued=_day(today, 35))

    # 3. Listed: proposed from a lapsed case, notified, stated, approved.
    listed_case = _opened(
        inspector, employers[2], "underreported", "under_declared", "缴费基数少报约七成", _day(today, 90)
    )
    listed_case = _lapsed(inspector, listed_case, issued=_day(today, 85))
    assert listed_case.order_deadline is not None
    after = (today - listed_case.order_deadline).days - 1
    with _as_of(_day(today, after)):
        entry = blacklist.blacklist_propose(case=listed_case, actor=inspector, legal_representative="王建国")
        entry = blacklist.blacklist_notify(entry=entry, actor=inspector)
    with _as_of(_day(today, after - 3)):
        entry = blacklist.blacklist_record_statement(
            entry=entry, actor=inspector, statement="单位称经营困难，请求从轻处理，未提交整改材料"
        )
    with _as_of(_day(today, after - 10)):
        blacklist.blacklist_approve(
            entry=entry,
            actor=manager,
            decision="经审核，事实清楚，证据充分，决定列入。",
            measures=Measure.values,
        )

    # 4. Just opened.
    with _as_of(_day(today, 1)):
        cases.case_open(actor=inspector, uscc=employers[3].uscc, case_type="unenrolled", note=DEMO_CASE_NOTE)
    return _("演示案件 4 件（其中逾期未整改 2 件），失信名单公布 1 条")
