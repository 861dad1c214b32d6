"""registry_refresh: Employer / Person / Enrollment from the current snapshots, at the
boundaries comparison.md and the registry name (routing precedence, streets outside
their district, the latest tax period, rows that vanish, idempotency)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from enrollment.models import Employer, Enrollment, Person
from enrollment.registry import registry_refresh
from tests.enrollment.registry_rows import (
    AS_OF,
    SNAP,
    civil,
    disability,
    household,
    idn,
    ins_person,
    insured,
    market,
    poverty,
    snapshots,
    tax,
    uscc,
)

pytestmark = pytest.mark.django_db


def refresh():
    return registry_refresh(as_of=AS_OF)


# --- employers ----------------------------------------------------------------------------


def test_given_a_market_entity_when_refreshed_then_the_employer_carries_its_market_facts():
    u = uscc()
    snapshots(
        market_entities=[market(u, industry_code="C3011", entity_type="individual", status="suspended")]
    )
    refresh()
    e = Employer.objects.get(uscc=u)
    assert (e.name, e.entity_type, e.market_status, e.established_on, e.industry_code) == (
        "乌海市黄河煤业有限公司",
        "individual",
        "suspended",
        dt.date(2015, 3, 8),
        "C3011",
    )
    assert (e.district_id, e.street_id) == ("150302", "150302001")
    assert (
        e.enrolled,
        e.insured_pension,
        e.insured_injury,
        e.insured_unemployment,
        e.arrears_amount,
        e.payroll_headcount,
    ) == (False, 0, 0, 0, Decimal(0), 0)
    assert e.refreshed_at is not None


def test_routing_takes_market_first_then_tax_then_insurance_employers():
    in_all, tax_and_hrss, hrss_only, tax_without_district = uscc(), uscc(), uscc(), uscc()
    snapshots(
        market_entities=[market(in_all, district_code="150302", street_code="150302001")],
        tax_payroll=[
            tax(in_all, district_code="150303"),
            tax(tax_and_hrss, district_code="150303"),
            tax(tax_without_district, district_code=None),
        ],
        insurance_employers=[
            insured(in_all, district_code="150304"),
            insured(tax_and_hrss, district_code="150304"),
            insured(hrss_only, district_code="150304"),
            insured(tax_without_district, district_code="150304"),
        ],
    )
    refresh()
    routed = dict(Employer.objects.values_list("uscc", "district_id"))
    streets = dict(Employer.objects.values_list("uscc", "street_id"))
    assert routed == {
        in_all: "150302",
        tax_and_hrss: "150303",
        hrss_only: "150304",
        tax_without_district: "150304",
    }
    # tax and HRSS carry no street: only the market roster gives one
    assert streets == {in_all: "150302001", tax_and_hrss: None, hrss_only: None, tax_without_district: None}


def test_name_and_facts_come_from_market_then_tax_then_hrss():
    both, tax_only = uscc(), uscc()
    snapshots(
        market_entities=[market(both, name="市场名称")],
        tax_payroll=[tax(both, name="税务名称"), tax(tax_only, name="税务名称2")],
        insurance_employers=[insured(tax_only, name="人社名称")],
    )
    refresh()
    assert Employer.objects.get(uscc=both).name == "市场名称"
    e = Employer.objects.get(uscc=tax_only)
    assert (e.name, e.entity_type, e.market_status, e.established_on, e.industry_code) == (
        "税务名称2",
        "",
        "",
        None,
        "",
    )


def test_a_street_outside_the_district_is_dropped_and_the_district_kept():
    wrong, right, none = uscc(), uscc(), uscc()
    snapshots(
        market_entities=[
            market(wrong, district_code="150302", street_code="150303001"),
            market(right, district_code="150303", street_code="150303001"),
            market(none, street_code=None),
        ]
    )
    refresh()
    got = {e.uscc: (e.district_id, e.street_id) for e in Employer.objects.all()}
    assert got == {wrong: ("150302", None), right: ("150303", "150303001"), none: ("150302", None)}


def test_payroll_headcount_is_the_latest_period_of_the_uscc():
    u = uscc()
    snapshots(
        tax_payroll=[
            tax(u, period=202604, payroll_headcount=40),
            tax(u, period=202605, payroll_headcount=7, name="新名称"),
            tax(u, period=202512, payroll_headcount=99),
        ]
    )
    refresh()
    e = Employer.objects.get(uscc=u)
    assert (e.payroll_headcount, e.name) == (7, "新名称")


def test_enrolled_headcounts_and_arrears_come_from_insurance_employers():
    u = uscc()
    snapshots(
        market_entities=[market(u)],
        insurance_employers=[
            insured(
                u,
                insured_pension=20,
                insured_injury=18,
                insured_unemployment=19,
                arrears_amount=Decimal("1234.56"),
            )
        ],
    )
    refresh()
    e = Employer.objects.get(uscc=u)
    assert (e.enrolled, e.insured_pension, e.insured_injury, e.insured_unemployment, e.arrears_amount) == (
        True,
        20,
        18,
        19,
        Decimal("1234.56"),
    )


def test_dust_hazard_alone_makes_no_employer():
    snapshots(
        dust_hazard=[
            {
                "uscc": uscc(),
                "name": "粉尘单位",
                "hazard_factor": "矽尘",
                "exposed_workers": 4,
                "industry_code": "B0610",
            }
        ]
    )
    refresh()
    assert not Employer.objects.exists()


def test_an_employer_gone_from_every_current_snapshot_is_deleted_and_others_updated():
    stays, goes = uscc(), uscc()
    snapshots(market_entities=[market(stays), market(goes)])
    refresh()
    assert Employer.objects.count() == 2
    snapshots(SNAP + dt.timedelta(days=1), market_entities=[market(stays, status="revoked")])
    s = refresh()
    assert list(Employer.objects.values_list("uscc", "market_status")) == [(stays, "revoked")]
    assert s.deleted["employers"] == 1 and s.written["employers"] == 1


def test_an_employer_still_in_tax_keeps_its_row_with_tax_routing():
    u = uscc()
    snapshots(market_entities=[market(u)], tax_payroll=[tax(u, district_code="150303")])
    refresh()
    snapshots(SNAP + dt.timedelta(days=1), market_entities=[])
    refresh()
    e = Employer.objects.get(uscc=u)
    assert (e.district_id, e.street_id, e.market_status, e.established_on) == ("150303", None, "", None)


def test_snapshots_after_as_of_are_not_read():
    u = uscc()
    snapshots(AS_OF + dt.timedelta(days=1), market_entities=[market(u)])
    refresh()
    assert not Employer.objects.exists()
    registry_refresh(as_of=AS_OF + dt.timedelta(days=1))
    assert Employer.objects.filter(uscc=u).exists()


def test_non_loaded_batches_are_not_snapshots():
    from enrollment.models import RosterBatch

    u = uscc()
    batches = snapshots(market_entities=[market(u)])
    RosterBatch.objects.filter(pk=batches["market_entities"].pk).update(status="processing")
    refresh()
    assert not Employer.objects.exists()


# --- persons ------------------------------------------------------------------------------


def test_person_routing_household_then_civil_then_poverty_then_disability():
    everywhere, no_household, poverty_and_disability, disability_only, hrss_only = (idn() for _ in range(5))
    snapshots(
        household_registry=[household(everywhere, district_code="150302", street_code="150302003")],
        civil_affairs=[
            civil(everywhere),
            civil(no_household, district_code="150303", street_code="150303001"),
        ],
        poverty_registry=[
            poverty(everywhere),
            poverty(no_household),
            poverty(poverty_and_disability, district_code="150304", street_code="150304002"),
        ],
        disability_registry=[
            disability(poverty_and_disability),
            disability(disability_only, district_code="150302", street_code="150302002"),
        ],
        insurance_persons=[ins_person(hrss_only)],
    )
    refresh()
    got = {p.id_number: (p.district_id, p.street_id) for p in Person.objects.all()}
    assert got == {
        everywhere: ("150302", "150302003"),
        no_household: ("150303", "150303001"),
        poverty_and_disability: ("150304", "150304002"),
        disability_only: ("150302", "150302002"),
        hrss_only: (None, None),
    }


def test_district_and_street_travel_together_from_the_first_source_with_a_district():
    i = idn()
    # civil_affairs has the district but no street; poverty has both: the street is NOT taken from poverty
    snapshots(
        civil_affairs=[civil(i, district_code="150303", street_code=None)],
        poverty_registry=[poverty(i, district_code="150304", street_code="150304002")],
    )
    refresh()
    p = Person.objects.get(id_number=i)
    assert (p.district_id, p.street_id) == ("150303", None)


def test_a_person_street_outside_the_district_is_null():
    i = idn()
    snapshots(poverty_registry=[poverty(i, district_code="150304", street_code="150302001")])
    refresh()
    p = Person.objects.get(id_number=i)
    assert (p.district_id, p.street_id) == ("150304", None)


def test_civil_affairs_routes_by_the_row_eligible_at_as_of():
    i = idn()
    snapshots(
        civil_affairs=[
            civil(
                i,
                category="dibao",
                valid_from=dt.date(2026, 1, 1),
                valid_to=dt.date(2026, 6, 14),  # ended
                district_code="150302",
                street_code="150302001",
            ),
            civil(
                i,
                category="tekun",
                valid_from=dt.date(2020, 1, 1),
                valid_to=AS_OF,  # eligible through D
                district_code="150303",
                street_code="150303001",
            ),
        ]
    )
    refresh()
    assert Person.objects.get(id_number=i).district_id == "150303"


def test_person_fields_community_and_phone_with_the_hrss_phone_as_fallback():
    with_phone, without_phone, hrss_only = idn(dt.date(1990, 2, 3)), idn(male=False), idn()
    snapshots(
        household_registry=[
            household(with_phone, phone="13712345678", community="和平社区"),
            household(without_phone, phone=None, community=None),
        ],
        insurance_persons=[
            ins_person(with_phone, phone="13900000000"),
            ins_person(without_phone, phone="13911112222"),
            ins_person(hrss_only, phone=None),
        ],
    )
    refresh()
    p = Person.objects.get(id_number=with_phone)
    assert (p.name, p.birth_date, p.sex, p.community, p.phone) == (
        "陈静",
        dt.date(1990, 2, 3),
        "M",
        "和平社区",
        "13712345678",
    )
    q = Person.objects.get(id_number=without_phone)
    assert (q.sex, q.community, q.phone) == ("F", "", "13911112222")
    r = Person.objects.get(id_number=hrss_only)
    assert (r.name, r.phone, r.community) == ("参保人", "", "")


def test_names_come_from_household_then_the_registries_then_hrss():
    i, j = idn(), idn()
    snapshots(
        household_registry=[household(i, name="户籍名")],
        civil_affairs=[civil(i, name="民政名"), civil(j, name="民政名")],
        disability_registry=[disability(j, name="残联名")],
        insurance_persons=[ins_person(j, name="人社名")],
    )
    refresh()
    assert dict(Person.objects.values_list("id_number", "name")) == {i: "户籍名", j: "民政名"}


# --- enrollments --------------------------------------------------------------------------


def test_one_enrollment_per_person_and_insurance_type():
    i = idn()
    emp = uscc()
    snapshots(
        household_registry=[household(i)],
        insurance_persons=[
            ins_person(i, "pension", scheme="resident", subsidized=True, employer_uscc=None),
            ins_person(
                i,
                "injury",
                employer_uscc=emp,
                status="interrupted",
                last_paid_period=202512,
                contribution_base=None,
            ),
        ],
    )
    refresh()
    rows = {e.insurance_type: e for e in Enrollment.objects.filter(person__id_number=i)}
    assert set(rows) == {"pension", "injury"}
    assert (rows["pension"].scheme, rows["pension"].subsidized, rows["pension"].employer_uscc) == (
        "resident",
        True,
        "",
    )
    inj = rows["injury"]
    assert (inj.status, inj.employer_uscc, inj.last_paid_period, inj.contribution_base) == (
        "interrupted",
        emp,
        202512,
        None,
    )


def test_enrollments_gone_from_the_current_snapshot_are_deleted_and_changes_applied():
    i = idn()
    snapshots(
        household_registry=[household(i)],
        insurance_persons=[ins_person(i, "pension"), ins_person(i, "unemployment")],
    )
    refresh()
    snapshots(
        SNAP + dt.timedelta(days=1),
        insurance_persons=[ins_person(i, "pension", status="retired", last_paid_period=None)],
    )
    s = refresh()
    assert list(Enrollment.objects.values_list("insurance_type", "status")) == [("pension", "retired")]
    assert s.deleted["enrollments"] == 1 and s.written["enrollments"] == 1 and s.deleted["persons"] == 0


def test_a_person_gone_from_every_snapshot_is_deleted_with_the_enrollments():
    stays, goes = idn(), idn()
    snapshots(
        household_registry=[household(stays), household(goes)],
        insurance_persons=[ins_person(stays), ins_person(goes), ins_person(goes, "injury")],
    )
    refresh()
    assert Enrollment.objects.count() == 3
    snapshots(
        SNAP + dt.timedelta(days=1),
        household_registry=[household(stays)],
        insurance_persons=[ins_person(stays)],
    )
    s = refresh()
    assert list(Person.objects.values_list("id_number", flat=True)) == [stays]
    assert Enrollment.objects.count() == 1
    assert (s.deleted["persons"], s.deleted["enrollments"]) == (1, 2)


def test_a_person_whose_id_leaves_hrss_but_stays_in_household_keeps_the_row_without_enrollments():
    i = idn()
    snapshots(household_registry=[household(i)], insurance_persons=[ins_person(i)])
    refresh()
    snapshots(SNAP + dt.timedelta(days=1), insurance_persons=[])
    refresh()
    assert Person.objects.filter(id_number=i).exists() and not Enrollment.objects.exists()


# --- idempotency ----------------------------------------------------------------------------


def test_a_second_refresh_over_the_same_snapshots_changes_nothing():
    us, ids = [uscc() for _ in range(3)], [idn() for _ in range(4)]
    snapshots(
        market_entities=[market(us[0]), market(us[1], street_code="150303001")],
        tax_payroll=[tax(us[1]), tax(us[2], period=202601), tax(us[2], period=202602)],
        insurance_employers=[insured(us[0], arrears_amount=Decimal("10.50")), insured(us[2])],
        household_registry=[household(ids[0]), household(ids[1], phone=None, community=None)],
        civil_affairs=[civil(ids[2]), civil(ids[2], category="tekun", valid_from=dt.date(2025, 1, 1))],
        insurance_persons=[
            ins_person(ids[0]),
            ins_person(ids[1], "injury", contribution_base=None),
            ins_person(ids[3], subsidized=True, last_paid_period=None, status="retired"),
        ],
    )
    first = refresh()
    assert first.written == {"employers": 3, "persons": 4, "enrollments": 3}
    before = {
        "e": list(Employer.objects.order_by("uscc").values()),
        "p": list(Person.objects.order_by("id_number").values()),
        "n": list(Enrollment.objects.order_by("id").values()),
    }
    second = refresh()
    assert second.written == {"employers": 0, "persons": 0, "enrollments": 0}
    assert second.deleted == {"enrollments": 0, "persons": 0, "employers": 0}
    assert before == {
        "e": list(Employer.objects.order_by("uscc").values()),
        "p": list(Person.objects.order_by("id_number").values()),
        "n": list(Enrollment.objects.order_by("id").values()),
    }


def test_a_changed_row_is_rewritten_and_only_it():
    a, b = idn(), idn()
    snapshots(household_registry=[household(a), household(b)])
    refresh()
    stamp_b = Person.objects.get(id_number=b).refreshed_at
    snapshots(
        SNAP + dt.timedelta(days=1), household_registry=[household(a, community="新社区"), household(b)]
    )
    s = refresh()
    assert s.written["persons"] == 1
    assert Person.objects.get(id_number=a).community == "新社区"
    assert Person.objects.get(id_number=b).refreshed_at == stamp_b


def test_no_snapshots_at_all_empties_the_registry():
    i = idn()
    snapshots(
        household_registry=[household(i)], insurance_persons=[ins_person(i)], market_entities=[market(uscc())]
    )
    refresh()
    s = registry_refresh(as_of=SNAP - dt.timedelta(days=1))
    assert s.totals == {"employers": 0, "persons": 0, "enrollments": 0}
    assert all(v is None for v in s.batches.values())
