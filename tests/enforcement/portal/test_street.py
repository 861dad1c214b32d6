"""Street work on a phone: the street worker's home is their street's list (assigned to
them when something is, else the whole street), cards with where to go and whom to
call (the phone through a logged reveal), counts and pages, and after a visit the next
task of the same list."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from enforcement.models import Task, TaskEvent, TaskKind
from tests.factories import (
    AssignedTaskFactory,
    ClosedTaskFactory,
    ContactedTaskFactory,
    OpenTaskFactory,
    PersonTaskFactory,
    load_snapshot,
    make_id_number,
    make_user,
)
from wuhai_coverage.core.models import AccessLog, Community
from wuhai_coverage.core.privacy import mask_phone

pytestmark = pytest.mark.django_db

STREET = "150302001"
PHONE = "13904731234"


@pytest.fixture
def worker_client(client, street_staff):
    client.force_login(street_staff)
    return client


def _visit_links(html: str) -> list[int]:
    """The task ids of the cards, in the order shown."""
    return [int(pk) for pk in dict.fromkeys(re.findall(r'href="/tasks/(\d+)/visit/', html))]


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


# --- Landing -------------------------------------------------------------------------


def test_street_staff_land_on_their_streets_list(worker_client):
    assert worker_client.get("/")["Location"] == "/dashboard/"
    response = worker_client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"] == "/tasks/street/"


def test_other_roles_keep_their_dashboard(client, caseworker):
    client.force_login(caseworker)
    assert client.get("/dashboard/").status_code == 200


def test_with_nothing_assigned_the_list_is_the_whole_street_and_says_so(worker_client):
    OpenTaskFactory.create_batch(3)
    OpenTaskFactory(district_id="150302", street_id="150302002")  # another street
    page = worker_client.get("/tasks/street/").content.decode()
    assert "暂无分派给您的任务，显示本街道全部 3 项" in page
    assert len(_visit_links(page)) == 3
    # The tabs carry their counts, and the cards link to the visit form with the tab shown.
    assert re.search(r"分派给我 <b class=\"count\">0</b>", page)
    assert re.search(r"本街道全部 <b class=\"count\">3</b>", page)
    assert "/visit/?mine=0" in page


def test_with_something_assigned_the_list_is_mine_and_the_other_tab_the_street(worker_client, street_staff):
    mine = AssignedTaskFactory(assignee=street_staff, subject_name="我的任务企业")
    OpenTaskFactory(subject_name="街道未分派企业")
    page = worker_client.get("/tasks/street/").content.decode()
    assert "我的任务企业" in page and "街道未分派企业" not in page
    assert "暂无分派给您的任务" not in page and _visit_links(page) == [mine.pk]
    page_all = worker_client.get("/tasks/street/?mine=0").content.decode()
    assert "街道未分派企业" in page_all and "我的任务企业" in page_all
    # Asking for "mine" when nothing is assigned shows the empty tab, not the street.
    Task.objects.filter(pk=mine.pk).update(assignee=None, status="open")
    page_mine = worker_client.get("/tasks/street/?mine=1").content.decode()
    assert _visit_links(page_mine) == [] and "暂无分派给您的任务" in page_mine


def test_the_list_is_sorted_by_priority_then_due_date(worker_client):
    normal_soon = OpenTaskFactory(priority="normal", due_date=_days(2))
    high_none = OpenTaskFactory(priority="high", due_date=None)
    high_late = OpenTaskFactory(priority="high", due_date=_days(20))
    high_overdue = OpenTaskFactory(priority="high", due_date=_days(-3))
    normal_none = OpenTaskFactory(priority="normal", due_date=None)
    ClosedTaskFactory()  # closed tasks are not on the list
    page = worker_client.get("/tasks/street/").content.decode()
    assert _visit_links(page) == [high_overdue.pk, high_late.pk, high_none.pk, normal_soon.pk, normal_none.pk]


def test_a_card_says_where_to_go_and_whom_to_call_with_the_phone_masked(worker_client):
    community = Community.objects.filter(street_id=STREET).order_by("code").first()
    idn = make_id_number(dt.date(1979, 3, 14), seq=21)
    person = PersonTaskFactory(subject_key=idn, subject_name="王建国", due_date=_days(-2), priority="high")
    load_snapshot(
        "household_registry",
        [
            dict(
                id_number=idn,
                name="王建国",
                district_code="150302",
                street_code=STREET,
                community=community.code,  # a partner sent the code: the card shows the name
                phone=PHONE,
                birth_date=dt.date(1979, 3, 14),
                sex="M",
            )
        ],
    )
    employer = OpenTaskFactory(subject_name="乌海市红星煤业有限公司", due_date=_days(5))
    load_snapshot(
        "market_entities",
        [
            dict(
                uscc=employer.subject_key,
                name="乌海市红星煤业有限公司",
                entity_type="enterprise",
                status="active",
                established_on=dt.date(2019, 6, 1),
                district_code="150302",
                street_code=STREET,
                address="乌海市海勃湾区黄河路88号",
                phone="13847301111",
            )
        ],
    )
    page = worker_client.get("/tasks/street/").content.decode()
    assert community.name in page and community.code not in page
    assert "乌海市海勃湾区黄河路88号" in page
    assert mask_phone(PHONE) in page and mask_phone("13847301111") in page
    assert PHONE not in page and "13847301111" not in page and idn not in page
    kinds = dict(TaskKind.choices)
    assert str(kinds["enroll_person"]) in page and str(kinds["enroll_employer"]) in page
    assert "enroll_person" not in page and "enroll_employer" not in page
    assert "逾期" in page and _days(-2).isoformat() in page and "优先" in page
    assert f'action="/tasks/{person.pk}/call/"' in page and f'action="/tasks/{employer.pk}/call/"' in page


def test_counts_and_pages(worker_client):
    OpenTaskFactory.create_batch(45)
    page1 = worker_client.get("/tasks/street/").content.decode()
    assert "共 45 条" in page1 and "第 1 / 3 页" in page1 and len(_visit_links(page1)) == 20
    assert 'href="?mine=0&amp;page=2"' in page1
    page3 = worker_client.get("/tasks/street/?mine=0&page=3").content.decode()
    assert "第 3 / 3 页" in page3 and len(_visit_links(page3)) == 5
    beyond = worker_client.get("/tasks/street/?mine=0&page=99")
    assert beyond.status_code == 200 and "第 3 / 3 页" in beyond.content.decode()
    seen = set(_visit_links(page1)) | set(
        _visit_links(worker_client.get("/tasks/street/?page=2").content.decode())
    )
    assert len(seen | set(_visit_links(page3))) == 45


def test_a_bad_search_value_is_a_400_with_the_message(worker_client):
    OpenTaskFactory()
    response = worker_client.get("/tasks/street/?person=abc")
    assert response.status_code == 400 and "人员编号应为整数" in response.content.decode()


def test_the_search_form_posts_so_a_typed_id_number_never_reaches_a_url(worker_client):
    from enrollment.models import Person

    idn = make_id_number(dt.date(1980, 5, 5), seq=7)
    task = PersonTaskFactory(subject_key=idn, subject_name="李桂兰")
    PersonTaskFactory(subject_name="其他居民")
    person = Person.objects.create(
        id_number=idn,
        name="李桂兰",
        birth_date=dt.date(1980, 5, 5),
        sex="F",
        district_id="150302",
        street_id=STREET,
    )
    response = worker_client.post("/tasks/street/", {"q": idn, "mine": "0"})
    assert response.status_code == 302 and idn not in response["Location"]
    assert f"person={person.pk}" in response["Location"]
    page = worker_client.get(response["Location"]).content.decode()
    assert _visit_links(page) == [task.pk] and "其他居民" not in page
    named = worker_client.post("/tasks/street/", {"q": "李桂兰", "mine": "0"})
    assert _visit_links(worker_client.get(named["Location"]).content.decode()) == [task.pk]


# --- The call button: the phone through the logged reveal ------------------------------


def _employer_with_phone(phone: str = "13847301111", **task_fields) -> Task:
    task = OpenTaskFactory(**task_fields)
    load_snapshot(
        "market_entities",
        [
            dict(
                uscc=task.subject_key,
                name=task.subject_name,
                entity_type="enterprise",
                status="active",
                established_on=dt.date(2019, 6, 1),
                district_code="150302",
                street_code=task.street_id,
                phone=phone,
            )
        ],
    )
    return task


def test_the_call_button_reveals_the_number_as_a_tel_link_and_logs_it(worker_client, street_staff):
    task = _employer_with_phone()
    assert not AccessLog.objects.exists()
    response = worker_client.post(f"/tasks/{task.pk}/call/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'href="tel:13847301111"' in response.content.decode()
    entry = AccessLog.objects.get()
    assert entry.actor == street_staff and entry.field == "phone" and entry.subject_key == task.subject_key
    assert entry.context == f"call task {task.pk}"
    # Without JavaScript: a small page with the same link, logged again.
    page = worker_client.post(f"/tasks/{task.pk}/call/")
    assert page.status_code == 200 and 'href="tel:13847301111"' in page.content.decode()
    assert AccessLog.objects.count() == 2


def test_the_call_button_is_post_only_and_inside_the_jurisdiction(client, worker_client):
    task = _employer_with_phone()
    assert worker_client.get(f"/tasks/{task.pk}/call/").status_code == 405
    stranger = make_user("street_staff", street="150302002")
    client.force_login(stranger)
    assert client.post(f"/tasks/{task.pk}/call/").status_code == 404
    assert not AccessLog.objects.exists()


def test_the_visit_page_offers_the_call_button_never_the_number(worker_client):
    task = _employer_with_phone(subject_name="乌海市蓝天建材有限公司")
    page = worker_client.get(f"/tasks/{task.pk}/visit/?mine=0").content.decode()
    assert mask_phone("13847301111") in page and "13847301111" not in page
    assert f'hx-post="/tasks/{task.pk}/call/"' in page and not AccessLog.objects.exists()


# --- After a visit: the next task of the same list ----------------------------------------


def _visit(client, task: Task, query: str = "mine=0", outcome: str = "reached"):
    return client.post(f"/tasks/{task.pk}/visit/?{query}", {"channel": "visit", "outcome": outcome})


def test_after_a_visit_the_worker_lands_on_the_next_task_of_the_list(worker_client, street_staff):
    first = OpenTaskFactory(priority="high", due_date=_days(1))
    second = OpenTaskFactory(priority="high", due_date=_days(3))
    third = OpenTaskFactory(priority="normal", due_date=_days(1))
    response = _visit(worker_client, first)
    assert response.status_code == 302 and response["Location"] == f"/tasks/{second.pk}/visit/?mine=0"
    page = worker_client.get(response["Location"]).content.decode()
    assert "走访已记录" in page and second.subject_name in page
    assert _visit(worker_client, second)["Location"] == f"/tasks/{third.pk}/visit/?mine=0"
    done = _visit(worker_client, third)
    assert done["Location"] == "/tasks/street/?mine=0"
    page = worker_client.get(done["Location"]).content.decode()
    assert "本街道任务已全部处理" in page and "走访已记录" in page
    assert TaskEvent.objects.filter(kind="contacted", actor=street_staff).count() == 3
    assert set(Task.objects.values_list("status", flat=True)) == {"contacted"}


def test_the_next_task_skips_visited_ones_and_wraps_round_to_the_top(worker_client):
    top = OpenTaskFactory(priority="high", due_date=_days(1))
    ContactedTaskFactory(priority="high", due_date=_days(2))  # visited already: skipped
    middle = OpenTaskFactory(priority="normal", due_date=_days(1))
    last = OpenTaskFactory(priority="normal", due_date=None)
    assert _visit(worker_client, middle)["Location"] == f"/tasks/{last.pk}/visit/?mine=0"
    assert _visit(worker_client, last)["Location"] == f"/tasks/{top.pk}/visit/?mine=0"


def test_the_next_task_keeps_the_tab_and_the_search(worker_client, street_staff):
    mine = AssignedTaskFactory.create_batch(2, assignee=street_staff, due_date=_days(1))
    OpenTaskFactory(priority="high", due_date=_days(-5))  # the street's, not mine
    first, second = sorted(mine, key=lambda t: t.pk)
    assert _visit(worker_client, first, "mine=1")["Location"] == f"/tasks/{second.pk}/visit/?mine=1"
    done = _visit(worker_client, second, "mine=1")
    assert done["Location"] == "/tasks/street/?mine=1"
    assert "分派给您的任务已全部处理" in worker_client.get(done["Location"]).content.decode()
    # A search rides along too.
    coal = OpenTaskFactory.create_batch(2, subject_name="乌海市某某煤业有限公司")
    OpenTaskFactory(subject_name="乌海市某某商贸有限公司")
    a, b = sorted(coal, key=lambda t: t.pk)
    moved = _visit(worker_client, a, "mine=0&q=煤业")
    assert moved["Location"].startswith(f"/tasks/{b.pk}/visit/?") and "mine=0" in moved["Location"]


def test_a_visit_without_a_tab_follows_the_lists_default(worker_client):
    a, b = OpenTaskFactory(due_date=_days(1)), OpenTaskFactory(due_date=_days(2))
    response = worker_client.post(f"/tasks/{a.pk}/visit/", {"channel": "phone", "outcome": "not_reached"})
    assert response["Location"] == f"/tasks/{b.pk}/visit/?mine=0"


def test_a_visit_to_a_closed_task_is_refused_with_the_reason(worker_client):
    task = ClosedTaskFactory()
    response = _visit(worker_client, task)
    assert response.status_code == 400 and not TaskEvent.objects.exists()


# --- Query budgets ----------------------------------------------------------------------


def _busy_street():
    """A page of cards of both subject types, each with its roster rows."""
    persons = [PersonTaskFactory(due_date=_days(i)) for i in range(10)]
    employers = [OpenTaskFactory(due_date=_days(i)) for i in range(10)]
    load_snapshot(
        "household_registry",
        [
            dict(
                id_number=t.subject_key,
                name=t.subject_name,
                district_code="150302",
                street_code=STREET,
                community="和平社区居委会",
                phone=f"139047312{i:02d}",
                birth_date=dt.date(1985, 1, 1),
                sex="M",
            )
            for i, t in enumerate(persons)
        ],
    )
    load_snapshot("insurance_persons", [])
    load_snapshot(
        "market_entities",
        [
            dict(
                uscc=t.subject_key,
                name=t.subject_name,
                entity_type="enterprise",
                status="active",
                established_on=dt.date(2019, 6, 1),
                district_code="150302",
                street_code=STREET,
                address=f"乌海市黄河路{i}号",
                phone=f"138473011{i:02d}",
            )
            for i, t in enumerate(employers)
        ],
    )
    return persons, employers


def test_the_street_list_holds_its_query_budget(worker_client, django_assert_max_num_queries):
    _busy_street()
    worker_client.get("/tasks/street/")  # warms the current-snapshot cache, like any earlier page
    with django_assert_max_num_queries(12):
        page = worker_client.get("/tasks/street/").content.decode()
    assert len(_visit_links(page)) == 20 and "乌海市黄河路3号" in page and "和平社区居委会" in page


def test_the_visit_page_holds_its_query_budget(worker_client, django_assert_max_num_queries):
    persons, _employers = _busy_street()
    worker_client.get(f"/tasks/{persons[0].pk}/visit/")
    with django_assert_max_num_queries(12):
        page = worker_client.get(f"/tasks/{persons[1].pk}/visit/?mine=0").content.decode()
    assert persons[1].subject_name in page and "和平社区居委会" in page


# --- The compact menu -----------------------------------------------------------------


def test_street_staff_get_a_compact_menu(worker_client, client, caseworker):
    OpenTaskFactory()
    page = worker_client.get("/tasks/street/").content.decode()
    nav = page[page.index('<nav class="mainnav') : page.index("</nav>")]
    assert re.findall(r'<a href="([^"]+)"', nav) == [
        "/tasks/street/",
        "/outreach/postings/",
        "/outreach/events/",
    ]
    client.force_login(caseworker)
    page = client.get("/dashboard/").content.decode()
    nav = page[page.index('<nav class="mainnav') : page.index("</nav>")]
    assert '<a href="/tasks/">' in nav and "/tasks/street/" not in nav
