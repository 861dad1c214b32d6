"""The site root: a public front page for visitors, the role's dashboard for staff."""

import pytest

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_visitor_gets_the_public_front_page(client):
    r = client.get("/")
    assert r.status_code == 200
    html = r.content.decode()
    for href in (
        'href="/calculator/"',
        'href="/blacklist/"',
        'href="/disclosure/"',
        'href="/accounts/login/"',
    ):
        assert href in html, href
    for text in ("养老金测算", "用人单位参保信息公开", "严重失信人名单", "工作人员登录"):
        assert text in html, text
    assert 'class="mainnav"' not in html  # no staff navigation for a visitor


@pytest.mark.parametrize(
    "role,kw",
    [
        ("city_manager", {}),
        ("district_caseworker", {"district": "150302"}),
        ("street_staff", {"street": "150302001"}),
    ],
)
def test_signed_in_staff_go_on_to_their_dashboard(client, role, kw):
    client.force_login(make_user(role, **kw))
    r = client.get("/")
    assert r.status_code == 302 and r["Location"] == "/dashboard/"


def test_a_partner_in_the_browser_goes_on_to_its_own_home_and_no_staff_page(client):
    client.force_login(make_user("partner", department="market"))
    assert client.get("/")["Location"] == "/dashboard/"
    assert client.get("/tasks/").status_code == 403


def test_the_front_page_is_english_in_english(client):
    client.cookies["django_language"] = "en"
    r = client.get("/")
    assert r.status_code == 200 and 'lang="en"' in r.content.decode()
