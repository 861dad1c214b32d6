"""Enforcement cases in each state, built through the services (so every state has the
events that lead to it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from enforcement.cases import services
from enforcement.models import EnforcementCase
from enrollment.models import Employer
from tests.factories import make_uscc
from wuhai_coverage.core.models import Street


def registry_employer(*, name: str = "乌海市黄河煤业有限公司", district: str = "150302") -> Employer:
    street = Street.objects.filter(district_id=district).order_by("code").first()
    return Employer.objects.create(
        uscc=make_uscc(),
        name=name,
        district_id=district,
        street=street,
        arrears_amount=Decimal("0"),
    )


def open_case(inspector, *, district: str = "150302") -> EnforcementCase:
    employer = registry_employer(district=district)
    return services.case_open(actor=inspector, uscc=employer.uscc, case_type="unenrolled")


def with_violation(inspector, case=None, *, kind: str = "not_enrolled") -> EnforcementCase:
    case = case or open_case(inspector)
    services.case_record_violation(
        case=case, actor=inspector, kind=kind, description="实际用工12人，均未参保"
    )
    return case


def with_finding(inspector, case=None) -> EnforcementCase:
    case = case or with_violation(inspector)
    services.case_record_finding(
        case=case,
        actor=inspector,
        source="audit",
        period=timezone.localdate().replace(day=1) - dt.timedelta(days=1),
        verified_headcount=12,
        verified_monthly_base=Decimal("48000.00"),
        declared_headcount=0,
        declared_monthly_base=Decimal("0"),
    )
    return EnforcementCase.objects.get(pk=case.pk)


def order_issued(inspector, case=None) -> EnforcementCase:
    case = case or with_finding(inspector)
    services.case_issue_order(case=case, actor=inspector, working_days=10)
    return EnforcementCase.objects.get(pk=case.pk)


def unrectified(inspector, case=None) -> EnforcementCase:
    case = order_issued(inspector, case)
    services.case_overdue_orders_mark(today=case.order_deadline + dt.timedelta(days=1))
    return EnforcementCase.objects.get(pk=case.pk)


def rectified(inspector, case=None) -> EnforcementCase:
    case = order_issued(inspector, case)
    return services.case_mark_rectified(case=case, actor=inspector, what_changed="已为12人办理参保")
