"""The portal's own error pages, in Chinese, saying why and linking back — for every path
that produces one: a view's PermissionDenied (handler403), a partner on a staff page
(the middleware), a CSRF failure (CSRF_FAILURE_VIEW), a 404, and a 500 from a view that
raises with DEBUG off. Then the language rule (Chinese whatever Accept-Language asks,
English only by choice), the favicon and the public front page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import path

from tests.factories import make_user
from wuhai_coverage.urls import urlpatterns as portal_urlpatterns

pytestmark = pytest.mark.django_db

BARE = ("Forbidden", "CSRF verification failed", "Not Found", "Server Error")


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def assert_portal_error_page(response, status: int, *phrases: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert '<header class="topbar">' in page and "/static/css/portal.css" in page  # styled, the portal's
    assert f'<p class="error-code">{status}</p>' in page
    assert 'href="/"' in page and "返回首页" in page
    text = text_of(response)
    for phrase in phrases:
        assert phrase in text, phrase
    for bare in BARE:
        assert bare not in text, bare
    return text


def test_403_from_a_view_says_why_and_links_back(client, caseworker):
    client.force_login(caseworker)
    response = client.get("/accounts/tokens/", HTTP_REFERER="http://testserver/tasks/")
    text = assert_portal_error_page(response, 403, "无权访问", "您的角色无权访问此页面", "区人社局经办人员")
    assert "返回上一页" in text and 'href="http://testserver/tasks/"' in response.content.decode()


def test_403_back_link_never_points_to_another_site(client, caseworker):
    client.force_login(caseworker)
    response = client.get("/accounts/tokens/", HTTP_REFERER="https://evil.example/phish")
    assert_portal_error_page(response, 403, "无权访问")
    assert "evil.example" not in response.content.decode()


def test_403_for_a_partner_on_a_staff_page_points_to_its_home_and_the_api(client, partner_market):
    client.force_login(partner_market)
    response = client.get("/tasks/")
    assert_portal_error_page(response, 403, "合作部门账号只能查看本部门的名册报送情况")
    assert 'href="/api/v1/docs/"' in response.content.decode()


def test_403_of_the_api_stays_json(client, street_staff):
    client.force_login(street_staff)
    response = client.post("/api/v1/comparison-runs/", {})
    assert response.status_code == 403 and response["Content-Type"].startswith("application/json")


def test_a_csrf_failure_answers_the_portals_page_in_chinese(caseworker):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(caseworker)
    response = browser.post("/tasks/bulk-assign/", {"assignee": "1"})
    assert_portal_error_page(response, 403, "页面已过期，请重新提交", "您填写的内容没有保存")


def test_a_csrf_failure_on_the_login_form_too(db):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert_portal_error_page(response, 403, "页面已过期")


def test_404_says_why_in_chinese(client, caseworker):
    client.force_login(caseworker)
    assert_portal_error_page(client.get("/no-such-page/"), 404, "页面不存在", "不在您的辖区范围内")
    assert_portal_error_page(client.get("/tasks/999999/"), 404, "页面不存在")  # outside: not found


def test_404_for_a_visitor_too(client):
    assert_portal_error_page(client.get("/no-such-page/"), 404, "页面不存在")


def boom(request):
    raise RuntimeError("a view that fails")


# The portal's URLconf plus one view that raises (pytest.mark.urls(__name__) below).
urlpatterns = [*portal_urlpatterns, path("boom/", boom)]
handler500 = "wuhai_coverage.core.views.server_error"


@pytest.mark.urls(__name__)
def test_500_from_a_view_that_raises_with_debug_off(settings, caseworker):
    settings.DEBUG = False
    browser = Client(raise_request_exception=False)
    browser.force_login(caseworker)
    response = browser.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "/static/css/portal.css" in page and '<p class="error-code">500</p>' in page
    text = text_of(response)
    assert "服务器内部错误" in text and "请稍后重试" in text and "返回首页" in text
    assert "RuntimeError" not in page and "Traceback" not in page and "Server Error" not in text


def test_404_of_the_api_is_json(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response.json() == {"detail": "未找到。"}


# --- The language: Chinese first ---------------------------------------------------------------


def test_an_english_browser_gets_chinese(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page and "工作人员登录" in page and "Staff sign-in" not in page
    assert response["Content-Language"] == "zh-hans"


def test_english_only_when_chosen_through_the_switch(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh").content.decode()
    assert '<html lang="en">' in page and "Staff sign-in" in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "工作人员登录" in client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()


def test_an_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies["django_language"] = "xx-klingon"
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


def test_the_api_answers_chinese_unless_the_client_asks_for_english(client):
    """A program asks for a language only on purpose (curl sends no Accept-Language)."""
    plain = client.get("/api/v1/tasks/").json()["detail"]
    assert re.search(r"[\u4e00-\u9fff]", plain)  # DRF's message, in Chinese
    asked = client.get("/api/v1/tasks/", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    assert not re.search(r"[\u4e00-\u9fff]", asked)


def test_date_fields_keep_the_iso_value_a_date_input_needs_in_chinese(client, caseworker):
    """Chinese formats a date 2026/06/25, which <input type=date> drops as invalid: the field
    looked empty and the form would not submit once Chinese became every browser's default."""
    client.force_login(caseworker)
    page = client.get("/outreach/sms/new/").content.decode()
    assert re.search(r'type="date" name="deadline" value="\d{4}-\d{2}-\d{2}"', page)
    from enforcement.forms import NoticeForm
    from outreach.events.forms import EventForm
    from outreach.forms import PostingForm

    for form, name in ((NoticeForm, "deadline"), (EventForm, "held_on"), (PostingForm, "posted_on")):
        widget = form.base_fields[name].widget
        assert widget.format == "%Y-%m-%d", form


# --- The favicon and the public front page -----------------------------------------------------


def test_favicon_is_linked_and_served(client):
    page = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/img/favicon.svg"
    icon = client.get("/static/img/favicon.svg")
    assert icon.status_code == 200 and b"<svg" in b"".join(icon.streaming_content)


def test_the_favicon_answers_a_partner_session_too(client, partner_market):
    client.force_login(partner_market)
    assert client.get("/favicon.ico").status_code == 301


def test_the_front_page_links_every_public_page(client):
    page = client.get("/").content.decode()
    for href in ("/calculator/", "/disclosure/", "/blacklist/", "/accounts/login/"):
        assert f'href="{href}"' in page, href
    for href in ("/calculator/", "/disclosure/", "/blacklist/"):
        assert client.get(href).status_code == 200, href


def test_a_signed_in_visitor_goes_on_to_their_home(client):
    client.force_login(make_user("inspector"))
    assert client.get("/")["Location"] == "/dashboard/"
