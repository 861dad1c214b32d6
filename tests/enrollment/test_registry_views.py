"""Registry pages: jurisdiction per role (404 outside), masking, logged reveals, search
and filters, links to the subject's tasks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from enrollment.models import Employer, Enrollment, Person
from tests.enrollment.registry_rows import idn, uscc
from tests.factories import make_user
from wuhai_coverage.core.models import AccessLog
from wuhai_coverage.core.privacy import mask_id_number, mask_phone

pytestmark = pytest.mark.django_db


def employer(**kw) -> Employer:
    defaults = {
        "uscc": uscc(),
        "name": "乌海市黄河煤业有限公司",
        "district_id": "150302",
        "street_id": "150302001",
    }
    return Employer.objects.create(**{**defaults, **kw})


def person(**kw) -> Person:
    defaults = {
        "id_number": idn(),
        "name": "陈静",
        "birth_date": dt.date(1980, 5, 17),
        "sex": "M",
        "district_id": "150302",
        "street_id": "150302001",
        "community": "和平社区",
        "phone": "13712345678",
    }
    return Person.objects.create(**{**defaults, **kw})


@pytest.fixture
def world():
    """One employer and one person per place: street 150302001 and 150302002 of 海勃湾区,
    150304002 of 乌达区, and one with no district (the city queue)."""
    return {
        "e_home": employer(name="凤凰岭煤业", street_id="150302001", enrolled=True),
        "e_neighbour": employer(name="邻街商贸", street_id="150302002"),
        "e_wuda": employer(name="乌达焦化", district_id="150304", street_id="150304002"),
        "e_city": employer(name="无区划事业单位", district_id=None, street_id=None),
        "p_home": person(name="本街居民", street_id="150302001"),
        "p_neighbour": person(name="邻街居民", street_id="150302002"),
        "p_wuda": person(
            name="乌达居民", district_id="150304", street_id="150304002", id_number=idn(dt.date(1975, 1, 2))
        ),
        "p_city": person(name="无区划人员", district_id=None, street_id=None),
    }


# role → which of the world's subjects the role sees
SEES = {
    "city_manager": {"home", "neighbour", "wuda", "city"},
    "inspector": {"home", "neighbour", "wuda", "city"},
    "district_caseworker": {"home", "neighbour"},
    "street_staff": {"home"},
}


def user_of(role: str):
    return make_user(
        role,
        district="150302" if role == "district_caseworker" else None,
        street="150302001" if role == "street_staff" else None,
    )


@pytest.mark.parametrize("role", sorted(SEES))
def test_lists_and_details_are_scoped_to_the_jurisdiction(client, world, role):
    client.force_login(user_of(role))
    employers = client.get("/employers/")
    persons = client.get("/persons/")
    assert employers.status_code == persons.status_code == 200
    for place in ("home", "neighbour", "wuda", "city"):
        e, p = world[f"e_{place}"], world[f"p_{place}"]
        visible = place in SEES[role]
        assert (e.name in employers.content.decode()) is visible, (role, place)
        assert (p.name in persons.content.decode()) is visible, (role, place)
        assert client.get(f"/employers/{e.uscc}/").status_code == (200 if visible else 404)
        assert client.get(f"/persons/{p.pk}/").status_code == (200 if visible else 404)


def test_partners_and_anonymous_users_do_not_reach_the_registry(client, world):
    assert client.get("/employers/").status_code == 302  # to the login page
    client.force_login(make_user("partner", department="market"))
    assert client.get("/employers/").status_code == 403
    assert client.get(f"/persons/{world['p_home'].pk}/").status_code == 403
    assert client.post(f"/persons/{world['p_home'].pk}/reveal/id_number/").status_code == 403
    assert not AccessLog.objects.exists()


def test_an_unknown_employer_or_person_is_404(client, city_manager):
    client.force_login(city_manager)
    assert client.get("/employers/NOPE/").status_code == 404
    assert client.get("/persons/999999/").status_code == 404


def test_person_pages_show_id_numbers_and_phones_masked(client, caseworker, world):
    p = world["p_home"]
    client.force_login(caseworker)
    for url in ("/persons/", f"/persons/{p.pk}/"):
        html = client.get(url).content.decode()
        assert p.id_number not in html and p.phone not in html, url
        assert mask_id_number(p.id_number) in html and mask_phone(p.phone) in html, url


def test_a_reveal_answers_the_value_and_is_logged(client, caseworker, world):
    p = world["p_home"]
    client.force_login(caseworker)
    r = client.post(f"/persons/{p.pk}/reveal/id_number/", REMOTE_ADDR="10.1.2.3")
    assert r.status_code == 200 and p.id_number in r.content.decode()
    r = client.post(f"/persons/{p.pk}/reveal/phone/")
    assert r.status_code == 200 and p.phone in r.content.decode()
    logs = list(
        AccessLog.objects.order_by("at", "id").values_list(
            "actor_id", "field", "subject_key", "context", "ip"
        )
    )
    assert logs == [
        (caseworker.pk, "id_number", p.id_number, f"person {p.pk}", "10.1.2.3"),
        (caseworker.pk, "phone", p.id_number, f"person {p.pk}", "127.0.0.1"),
    ]


def test_a_reveal_outside_the_jurisdiction_is_404_and_not_logged(client, caseworker, world):
    client.force_login(caseworker)
    assert client.post(f"/persons/{world['p_wuda'].pk}/reveal/id_number/").status_code == 404
    assert not AccessLog.objects.exists()


def test_a_reveal_needs_post_and_a_known_field(client, caseworker, world):
    p = world["p_home"]
    client.force_login(caseworker)
    assert client.get(f"/persons/{p.pk}/reveal/id_number/").status_code == 405
    assert client.post(f"/persons/{p.pk}/reveal/name/").status_code == 404
    assert not AccessLog.objects.exists()


def test_search_by_name_part_uscc_prefix_and_whole_id_number(client, city_manager, world):
    client.force_login(city_manager)
    e = world["e_wuda"]
    by_name = client.get("/employers/", {"q": "焦化"}).content.decode()
    assert e.name in by_name and world["e_home"].name not in by_name
    by_key = client.get("/employers/", {"q": e.uscc[:12].lower()}).content.decode()
    assert e.name in by_key and world["e_home"].name not in by_key
    p = world["p_wuda"]
    by_id = client.get("/persons/", {"q": p.id_number.lower()}, follow=True)
    assert by_id.redirect_chain == [(f"/persons/{p.pk}/", 302)] and p.name in by_id.content.decode()
    # No prefix search of ID numbers: region + birth date would enumerate persons.
    by_prefix = client.get("/persons/", {"q": p.id_number[:14]})
    assert by_prefix.status_code == 400 and "不支持按开头查询" in by_prefix.content.decode()
    assert world["p_neighbour"].name in client.get("/persons/", {"q": "邻街"}).content.decode()


def test_filters_by_district_street_and_enrollment(client, city_manager, world):
    Enrollment.objects.create(
        person=world["p_home"], insurance_type="pension", scheme="employee", status="active"
    )
    Enrollment.objects.create(
        person=world["p_neighbour"], insurance_type="pension", scheme="employee", status="terminated"
    )
    client.force_login(city_manager)

    def names(url, **params):
        html = client.get(url, params).content.decode()
        return {k for k, v in world.items() if v.name in html}

    assert names("/employers/", district="150304") == {"e_wuda"}
    assert names("/employers/", street="150302002") == {"e_neighbour"}
    assert names("/employers/", enrolled="1") == {"e_home"}
    assert names("/employers/", enrolled="0") == {"e_neighbour", "e_wuda", "e_city"}
    # a terminated row is no enrollment
    assert names("/persons/", enrolled="1") == {"p_home"}
    assert names("/persons/", enrolled="0", district="150302") == {"p_neighbour"}


def test_a_filter_never_widens_the_jurisdiction(client, caseworker, world):
    client.force_login(caseworker)
    html = client.get("/employers/", {"district": "150304"}).content.decode()
    assert world["e_wuda"].name not in html


@pytest.mark.parametrize("url", ["/employers/", "/persons/"])
@pytest.mark.parametrize(
    "params", [{"enrolled": "maybe"}, {"district": "999999"}, {"street": "1"}, {"q": "x" * 101}]
)
def test_bad_filters_answer_400_with_a_message(client, city_manager, url, params):
    client.force_login(city_manager)
    r = client.get(url, params)
    assert r.status_code == 400 and 'role="alert"' in r.content.decode()


@pytest.mark.parametrize("url", ["/employers/", "/persons/"])
def test_empty_filters_are_no_filters(client, city_manager, world, url):
    client.force_login(city_manager)
    everything = client.get(url).content.decode()
    blank = client.get(url, {"q": "", "district": "", "street": "", "enrolled": ""})
    assert blank.status_code == 200
    assert {k for k, v in world.items() if v.name in blank.content.decode()} == {
        k for k, v in world.items() if v.name in everything
    }


def test_pagination_keeps_the_filters(client, city_manager):
    for i in range(55):
        employer(name=f"分页测试单位{i:02d}")
    client.force_login(city_manager)
    first = client.get("/employers/", {"q": "分页测试"}).content.decode()
    assert "q=%E5%88%86%E9%A1%B5%E6%B5%8B%E8%AF%95&amp;page=2" in first
    second = client.get("/employers/", {"q": "分页测试", "page": "2"}).content.decode()
    assert second.count("分页测试单位") == 5


def test_employer_detail_shows_the_registry_row_and_links_to_its_tasks(client, caseworker):
    e = employer(
        name="乌海市千里山矿业有限公司",
        market_status="active",
        entity_type="coop",
        payroll_headcount=37,
        enrolled=True,
        insured_pension=30,
        insured_injury=12,
        insured_unemployment=29,
        arrears_amount=Decimal("4567.80"),
    )
    client.force_login(caseworker)
    html = client.get(f"/employers/{e.uscc}/").content.decode()
    for text in (
        "乌海市千里山矿业有限公司",
        "存续",
        "农民专业合作社",
        "37",
        "30",
        "12",
        "29",
        "¥4,567.80",
        f'href="/tasks/?q={e.uscc}"',
    ):
        assert text in html, text


def test_person_detail_lists_enrollments_and_the_task_link_redirects_to_the_queue(client, caseworker, world):
    p = world["p_home"]
    Enrollment.objects.create(
        person=p,
        insurance_type="pension",
        scheme="resident",
        status="interrupted",
        last_paid_period=202512,
        subsidized=True,
    )
    client.force_login(caseworker)
    html = client.get(f"/persons/{p.pk}/").content.decode()
    assert "城乡居民" in html and "中断缴费" in html and "2025年12月" in html
    assert f"/persons/{p.pk}/tasks/" in html
    r = client.get(f"/persons/{p.pk}/tasks/")
    # The person's key never travels in a URL: the queue filters on the registry pk.
    assert r.status_code == 302 and r["Location"] == f"/tasks/?person={p.pk}&status=all"
    assert p.id_number not in r["Location"]
    assert client.get(f"/persons/{world['p_wuda'].pk}/tasks/").status_code == 404


def test_the_queue_link_finds_the_subjects_tasks(client, caseworker, world):
    from tests.factories import OpenTaskFactory, PersonTaskFactory

    e, p = world["e_home"], world["p_home"]
    OpenTaskFactory(subject_key=e.uscc, subject_name=e.name)
    PersonTaskFactory(subject_key=p.id_number, subject_name="任务上的名字")
    client.force_login(caseworker)
    assert e.name in client.get(f"/tasks/?q={e.uscc}").content.decode()
    OpenTaskFactory(subject_key="91150302MA0000000X", subject_name="别人的任务")
    html = client.get(f"/persons/{p.pk}/tasks/", follow=True).content.decode()
    assert "任务上的名字" in html and "别人的任务" not in html and e.name not in html
    # A person outside the caseworker's district: nothing, not their tasks.
    other = PersonTaskFactory(subject_key=world["p_wuda"].id_number, subject_name="乌达的任务")
    assert other.subject_name not in client.get(f"/tasks/?person={world['p_wuda'].pk}").content.decode()
    assert client.get("/tasks/?person=abc").status_code == 400


def test_nav_links_for_staff_only(client, caseworker):
    client.force_login(caseworker)
    html = client.get("/employers/").content.decode()
    assert 'href="/employers/"' in html and 'href="/persons/"' in html
    client.force_login(make_user("partner", department="tax"))
    html = client.get("/").content.decode()
    assert 'href="/employers/"' not in html
