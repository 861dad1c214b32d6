import pytest

from tests.assessment.conftest import EXPECTED, A, B, C
from tests.factories import make_user


def test_the_api_returns_each_districts_indicators_score_rank_and_fund_gap_share(
    scenario, client_for, city_manager
):
    r = client_for(city_manager).get("/api/v1/assessment/districts/?year=2025")
    assert r.status_code == 200
    data = r.json()
    assert data["year"] == 2025 and data["as_of"] == "2025-12-31"
    by = {d["district_code"]: d for d in data["results"]}
    assert [d["district_code"] for d in data["results"]] == [B, A, C]
    assert by[A]["name"] == "海勃湾区"
    assert (by[A]["score"], by[A]["rank"], by[A]["commended"], by[A]["fund_gap_share"]) == (
        58.39,
        2,
        False,
        0.6,
    )
    assert (by[B]["score"], by[B]["rank"], by[B]["commended"], by[B]["fund_gap_share"]) == (
        100.0,
        1,
        True,
        0.5,
    )
    cov = by[A]["indicators"]["construction_injury_rate"]
    assert cov == {
        "value": 0.666667,
        "numerator": 2,
        "denominator": 3,
        "target": 0.9,
        "weight": 15.0,
        "score": 74.07,
        "scored": True,
        "note": "",
    }
    inter = by[A]["indicators"]["interruption_rate"]
    assert (inter["value"], inter["target"], inter["score"], inter["baseline"]) == (
        0.25,
        0.2,
        80.0,
        {"numerator": 1, "denominator": 5},
    )
    for code, expected in EXPECTED.items():
        for district, (num, den, score) in expected.items():
            got = by[district]["indicators"][code]
            assert (got["numerator"], got["denominator"]) == (num, den)
            assert got["score"] == (None if score is None else float(score))


@pytest.mark.parametrize("year", ["abc", "1999", "9999", "2025.5"])
def test_a_bad_year_is_400_with_a_message(db, client_for, city_manager, year):
    r = client_for(city_manager).get(f"/api/v1/assessment/districts/?year={year}")
    assert r.status_code == 400 and "year" in r.json()


def test_year_defaults_to_this_year(db, client_for, city_manager):
    from django.utils import timezone

    assert (
        client_for(city_manager).get("/api/v1/assessment/districts/").json()["year"]
        == timezone.localdate().year
    )


@pytest.mark.parametrize(
    "role,kw,status",
    [
        ("city_manager", {}, 200),
        ("district_caseworker", {"district": "150303"}, 200),
        ("street_staff", {"street": "150302001"}, 403),
        ("inspector", {}, 403),
        ("partner", {"department": "tax"}, 403),
    ],
)
def test_api_permissions(db, client_for, role, kw, status):
    assert client_for(make_user(role, **kw)).get("/api/v1/assessment/districts/").status_code == status


def test_api_without_credentials_is_401(db, api_client):
    assert api_client.get("/api/v1/assessment/districts/").status_code == 401
