"""The one list style (wuhai_coverage/core/listing.py and its template tags): sortable
headers with ▲/▼ and aria-sort, removable filter chips, and the pager's total pages."""

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from tests.factories import OpenTaskFactory, make_user
from wuhai_coverage.core import listing


def _render(source, url, **ctx):
    request = RequestFactory().get(url)
    with translation.override("zh-hans"):
        return Template("{% load listing %}" + source).render(Context({"request": request, **ctx}))


def test_the_sorted_column_says_so_and_its_link_reverses_the_order():
    html = _render(
        '{% sort_th "办理期限" "due_date" current="due_date" %}', "/tasks/?status=open&sort=due_date&page=4"
    )
    assert 'aria-sort="ascending"' in html and "▲" in html
    assert 'href="?status=open&amp;sort=-due_date"' in html  # reversed; the page is dropped, the filter kept
    html = _render('{% sort_th "办理期限" "due_date" current="-due_date" %}', "/tasks/?sort=-due_date")
    assert 'aria-sort="descending"' in html and "▼" in html and 'href="?sort=due_date"' in html


def test_an_unsorted_column_has_no_aria_sort_and_sorts_descending_first_when_asked():
    html = _render('{% sort_th "生成时间" "opened_at" current="due_date" desc_first=True %}', "/tasks/")
    assert "aria-sort" not in html and "▲" not in html and "▼" not in html
    assert 'href="?sort=-opened_at"' in html


def test_each_chip_removes_only_its_own_filter():
    params = {"status": "open", "street": "150302001", "q": "煤", "page": "3"}
    chips = listing.filter_chips(
        params,
        [
            ("status", "状态", {"open": "待处理"}),
            ("street", "街道", {"150302001": "凤凰岭街道"}),
            ("kind", "类型", {}),
            ("q", "关键词", None),
        ],
    )
    assert [(c.label, c.value) for c in chips] == [
        ("状态", "待处理"),
        ("街道", "凤凰岭街道"),
        ("关键词", "煤"),
    ]
    assert chips[0].remove_qs == "street=150302001&q=%E7%85%A4"  # the others stay; the page goes
    html = _render("{% filter_chips chips clear_url='/tasks/' %}", "/tasks/", chips=chips)
    assert html.count('class="chip"') == 3 and 'href="/tasks/"' in html and "状态：待处理" in html


@pytest.mark.parametrize(
    "number,pages,count,capped,text,prev,nxt",
    [
        (3, 12, 287, False, "第 3 / 12 页，共 287 条", True, True),
        (1, 1, 0, False, "第 1 / 1 页，共 0 条", False, False),
        (12, 12, 600, False, "第 12 / 12 页，共 600 条", True, False),
        (2, 100, 5000, True, "第 2 / 100+ 页，共 5,000+ 条", True, True),
    ],
)
def test_the_pager_shows_the_page_of_the_total(number, pages, count, capped, text, prev, nxt):
    html = _render(
        "{% pager number pages count capped=capped %}",
        "/employers/?street=150302001&page=3",
        number=number,
        pages=pages,
        count=count,
        capped=capped,
    )
    assert text in re.sub(r"\s+", " ", html).replace("5000", "5,000")  # grouping follows the locale
    assert ('rel="prev"' in html) is prev and ('rel="next"' in html) is nxt
    if nxt:
        assert f'href="?street=150302001&amp;page={number + 1}"' in html


def test_page_count():
    assert [listing.page_count(n, 50) for n in (0, 1, 50, 51, 287)] == [1, 1, 1, 2, 6]


@pytest.mark.django_db
def test_the_queue_shows_its_chips_sort_indicator_and_total_pages(client):
    for _ in range(3):
        OpenTaskFactory()
    client.force_login(make_user("city_manager"))
    with translation.override("zh-hans"):
        body = client.get(
            "/tasks/?priority=normal&sort=due_date", HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
    assert re.search(
        r'<th class="date" aria-sort="ascending"><a class="sort" href="\?priority=normal&amp;sort=-due_date"',
        body,
    )
    assert 'class="chip" href="?sort=due_date"' in body  # removing the priority filter keeps the sort
    assert "优先级：普通" in body
    assert re.search(r"第 1 / 1 页，共 \d+ 条", body)
    assert 'data-label="办理期限"' in body  # the cells a phone shows as a card
