"""The arrears statement kept on a case: periods (from a finding or entered), payments,
the chosen fine within 1–3× the unpaid amount; the arithmetic is enforcement/arrears.py's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from enforcement import arrears
from enforcement.cases import services
from enforcement.models import CaseEvent
from tests.enforcement.cases import factories as f

pytestmark = pytest.mark.django_db


def test_a_period_from_a_finding_is_the_base_gap_times_the_rates(inspector):
    case = f.with_finding(inspector)  # 2026-05: verified 48,000.00, declared 0
    row = services.case_arrears_period_set(case=case, actor=inspector, period="202605")
    rates = arrears.contribution_rates()
    expected = arrears.yuan(arrears.contributions_owed(arrears.fen(Decimal("48000.00")), rates))
    assert row.owed == expected and row.finding is not None
    assert CaseEvent.objects.filter(case=case, kind="arrears_period").get().data["period"] == "202605"


def test_a_period_without_a_finding_needs_an_amount(inspector):
    case = f.open_case(inspector)
    with pytest.raises(services.CaseError, match="稽核结果"):
        services.case_arrears_period_set(case=case, actor=inspector, period="202604")
    row = services.case_arrears_period_set(
        case=case, actor=inspector, period="202604", owed=Decimal("1000.00")
    )
    assert row.source == "录入"
    with pytest.raises(services.CaseConflict):
        services.case_arrears_period_set(case=case, actor=inspector, period="202604", owed=Decimal("1"))


@pytest.mark.parametrize("period", ["2026-04", "202613", "202607", "abc"])
def test_a_bad_or_future_period_is_refused(inspector, period):
    with pytest.raises(services.CaseError):
        services.case_arrears_period_set(
            case=f.open_case(inspector), actor=inspector, period=period, owed=Decimal("1")
        )


def test_payments_apply_oldest_first_and_the_fee_runs_from_the_day_after_the_due_date(inspector):
    case = f.open_case(inspector)
    services.case_arrears_period_set(case=case, actor=inspector, period="202603", owed=Decimal("1000.00"))
    services.case_arrears_period_set(case=case, actor=inspector, period="202604", owed=Decimal("1000.00"))
    services.case_payment_record(
        case=case, actor=inspector, paid_on=dt.date(2026, 4, 15), amount=Decimal("1500.00")
    )
    statement = services.arrears_statement_get(case=case, as_of=dt.date(2026, 6, 15))
    march, april = statement.lines
    # March is due 2026-04-15 and was paid that day: no fee; April keeps 500 unpaid from 2026-05-16
    assert (march.unpaid, march.fee) == (0, 0)
    assert april.unpaid == arrears.fen("500.00") and april.late_days == 31
    assert april.fee == arrears.round_fen(Decimal(arrears.fen("500.00")) * arrears.LATE_FEE_RATE * 31)


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5"), Decimal("1.001")])
def test_a_bad_payment_is_refused(inspector, amount):
    with pytest.raises(services.CaseError):
        services.case_payment_record(
            case=f.open_case(inspector), actor=inspector, paid_on=dt.date(2026, 6, 1), amount=amount
        )


def test_a_payment_dated_tomorrow_is_refused(inspector):
    with pytest.raises(services.CaseError):
        services.case_payment_record(
            case=f.open_case(inspector), actor=inspector, paid_on=dt.date(2026, 6, 16), amount=Decimal("1")
        )


def test_the_fine_is_recorded_only_within_one_to_three_times_the_unpaid(inspector):
    case = f.open_case(inspector)
    with pytest.raises(services.CaseConflict):
        services.case_fine_record(case=case, actor=inspector, amount=Decimal("100"), reason="x")
    services.case_arrears_period_set(case=case, actor=inspector, period="202604", owed=Decimal("1000.00"))
    for outside in (Decimal("999.99"), Decimal("3000.01")):
        with pytest.raises(services.CaseError, match="一至三倍"):
            services.case_fine_record(case=case, actor=inspector, amount=outside, reason="x")
    for edge in (Decimal("1000.00"), Decimal("3000.00")):
        fine = services.case_fine_record(case=case, actor=inspector, amount=edge, reason="情节较重")
        assert fine.unpaid == Decimal("1000.00")
    assert CaseEvent.objects.filter(case=case, kind="fine").count() == 2


def test_the_statement_on_the_page_and_as_xlsx(inspector):
    case = f.open_case(inspector)
    client = Client()
    client.force_login(inspector)
    assert (
        client.post(f"/cases/{case.pk}/arrears/periods/", {"period": "202604", "owed": "1000.00"}).status_code
        == 302
    )
    assert (
        client.post(
            f"/cases/{case.pk}/arrears/payments/", {"paid_on": "2026-05-20", "amount": "400"}
        ).status_code
        == 302
    )
    page = client.get(f"/cases/{case.pk}/")
    assert page.context["statement"].total_unpaid == arrears.fen("600.00")
    assert "600.00" in page.content.decode()
    xlsx = client.get(f"/cases/{case.pk}/arrears.xlsx")
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content).startswith(b"PK")
    assert (
        client.post(
            f"/cases/{case.pk}/arrears/fine/", {"amount": "5000", "reason": "x"}, follow=True
        ).status_code
        == 200
    )
    assert not case.fines.exists()


def test_the_order_states_the_arrears_statement(inspector, fast_pdf):
    case = f.with_violation(inspector, kind="arrears")
    services.case_arrears_period_set(case=case, actor=inspector, period="202604", owed=Decimal("1000.00"))
    document = services.case_issue_order(case=case, actor=inspector, working_days=5)
    # 202604 is due 2026-05-15: 31 late days to 2026-06-15, 1000 × 0.0005 × 31 = 15.50
    assert (
        "2026年04月：应缴1,000.00元，已缴0.00元，欠缴1,000.00元，滞纳31天，滞纳金15.50元。" in document.facts
    )
    assert "应补缴1,015.50元" in document.facts


def test_an_attachment_limit_comes_from_the_settings(settings):
    settings.CASE_ATTACHMENT_MAX_BYTES = 10
    assert services.attachment_max_bytes() == 10
