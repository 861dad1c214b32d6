"""Outreach events: recording one with photos (type-checked) within the jurisdiction, the
month calendar's boundaries and districts, and the seasonal campaigns suggested on it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from outreach.events import seasons, selectors
from outreach.forms import MAX_PHOTO_BYTES
from outreach.models import OutreachEvent, OutreachEventPhoto
from tests.enrollment import hostile
from tests.factories import make_user

pytestmark = pytest.mark.django_db

A, B = "150302", "150304"


def _png(name: str = "photo.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (6, 6), "red").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def _data(**kw) -> dict:
    return {
        "kind": "community_talk",
        "title": "社保知识进社区",
        "place": "凤凰岭街道和平社区",
        "held_on": "2026-06-10",
        "district": A,
        "reach": "45",
        **kw,
    }


def event(held_on: dt.date, district: str | None = A, **kw) -> OutreachEvent:
    return OutreachEvent.objects.create(
        kind=kw.get("kind", "community_talk"),
        title=kw.get("title", f"活动 {held_on}"),
        place="乌海",
        held_on=held_on,
        district_id=district,
        reach=kw.get("reach", 10),
        recorded_by=kw.get("by") or make_user("city_manager"),
    )


@pytest.fixture
def caseworker_a(db):
    return make_user("district_caseworker", district=A)


# --- recording -------------------------------------------------------------------------


def test_a_caseworker_records_an_event_with_photos(client, caseworker_a):
    client.force_login(caseworker_a)
    r = client.post("/outreach/events/new/", _data(photos=[_png("../a.png"), _png("b.png")]))
    assert r.status_code == 302
    e = OutreachEvent.objects.get()
    assert r["Location"] == f"/outreach/events/{e.pk}/"
    assert (e.kind, e.title, e.place, e.held_on, e.district_id, e.reach, e.recorded_by) == (
        "community_talk",
        "社保知识进社区",
        "凤凰岭街道和平社区",
        dt.date(2026, 6, 10),
        A,
        45,
        caseworker_a,
    )
    assert e.recorded_at is not None
    photos = list(e.photos.all())
    assert len(photos) == 2 and all("event" in p.photo.name and ".." not in p.photo.name for p in photos)
    page = client.get(f"/outreach/events/{e.pk}/")
    assert page.status_code == 200 and "海勃湾区" in page.content.decode()
    assert client.get(f"/outreach/events/photos/{photos[0].pk}/").status_code == 200


def test_street_staff_record_in_their_district(client):
    client.force_login(make_user("street_staff", street="150302002"))
    assert client.post("/outreach/events/new/", _data()).status_code == 302
    assert OutreachEvent.objects.get().district_id == A


def test_another_district_is_refused_and_its_events_do_not_exist(client, caseworker_a):
    client.force_login(caseworker_a)
    r = client.post("/outreach/events/new/", _data(district=B))
    assert r.status_code == 400 and "请选择辖区内的区" in r.content.decode()
    r = client.post("/outreach/events/new/", _data(district=""))  # a district's staff cannot go city-wide
    assert r.status_code == 400
    assert not OutreachEvent.objects.exists()
    theirs = event(dt.date(2026, 6, 3), B)
    photo = OutreachEventPhoto(event=theirs)
    photo.photo.save("event.png", _png(), save=True)
    assert client.get(f"/outreach/events/{theirs.pk}/").status_code == 404
    assert client.get(f"/outreach/events/photos/{photo.pk}/").status_code == 404
    client.force_login(make_user("district_caseworker", district=B))
    assert client.get(f"/outreach/events/photos/{photo.pk}/").status_code == 200


def test_a_city_manager_records_a_city_wide_event_everyone_sees(client, caseworker_a):
    client.force_login(make_user("city_manager"))
    assert client.post("/outreach/events/new/", _data(district="", kind="publicity_month")).status_code == 302
    e = OutreachEvent.objects.get()
    assert e.district_id is None
    client.force_login(caseworker_a)
    assert client.get(f"/outreach/events/{e.pk}/").status_code == 200
    assert "全市" in client.get(f"/outreach/events/{e.pk}/").content.decode()


@pytest.mark.parametrize("role,kw", [("inspector", {}), ("partner", {"department": "market"})])
def test_roles_without_post_publicity_are_refused(client, role, kw):
    client.force_login(make_user(role, **kw))
    assert client.get("/outreach/events/").status_code == 403
    assert client.post("/outreach/events/new/", _data()).status_code == 403
    assert not OutreachEvent.objects.exists()


def test_anonymous_goes_to_the_login(client, db):
    assert client.get("/outreach/events/").status_code == 302
    assert client.post("/outreach/events/new/", _data()).status_code == 302
    assert not OutreachEvent.objects.exists()


@pytest.mark.parametrize(
    "photos,message",
    [
        (
            [SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")],
            "JPEG 或 PNG",
        ),
        ([SimpleUploadedFile("x.jpg", b"", content_type="image/jpeg")], "空"),
        ([SimpleUploadedFile("x.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")], "JPEG 或 PNG"),
        ([SimpleUploadedFile("x.webp", b"RIFF\x1a\x00\x00\x00WEBPVP8 ")], "JPEG 或 PNG"),
        ([SimpleUploadedFile("bomb.png", hostile.png_bomb(200_000, 200_000))], "百万像素的上限"),
        ([SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * MAX_PHOTO_BYTES)], "5 MB"),
        ([_png(f"{i}.png") for i in range(7)], "最多上传 6 张照片"),
    ],
    ids=["script", "empty", "gif", "webp", "bomb", "too-big", "seven"],
)
def test_hostile_photos_are_refused_and_nothing_is_stored(client, caseworker_a, photos, message):
    client.force_login(caseworker_a)
    r = client.post("/outreach/events/new/", _data(photos=photos))
    assert r.status_code == 400 and message in r.content.decode()
    assert not OutreachEvent.objects.exists() and not OutreachEventPhoto.objects.exists()


def test_six_photos_are_accepted(client, caseworker_a):
    client.force_login(caseworker_a)
    assert (
        client.post("/outreach/events/new/", _data(photos=[_png(f"{i}.png") for i in range(6)])).status_code
        == 302
    )
    assert OutreachEventPhoto.objects.count() == 6


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("reach", "-1", "不能为负数"),
        ("reach", "1000001", "不能超过"),
        ("held_on", "2019-12-31", "不能早于"),
        ("held_on", "2027-06-17", "不能晚于一年以后"),
        ("held_on", "2026-02-30", "日期"),
        ("kind", "concert", "选择"),
        ("title", "", "必填"),
    ],
)
def test_bad_fields_are_form_errors(client, caseworker_a, field, value, message):
    client.force_login(caseworker_a)
    r = client.post("/outreach/events/new/", _data(**{field: value}))
    assert r.status_code == 400
    assert message in r.content.decode() or "有效" in r.content.decode()
    assert not OutreachEvent.objects.exists()


def test_the_date_limits_are_inclusive(client, caseworker_a):
    client.force_login(caseworker_a)
    for held_on in ("2020-01-01", "2027-06-16"):  # the policy's first day; today + 366 days
        assert client.post("/outreach/events/new/", _data(held_on=held_on, reach="0")).status_code == 302
    assert OutreachEvent.objects.count() == 2


# --- the calendar ----------------------------------------------------------------------


def test_the_month_grid_runs_monday_to_sunday_and_counts_only_the_months_days(client, caseworker_a):
    for day in (dt.date(2026, 2, 28), dt.date(2026, 3, 1), dt.date(2026, 3, 31), dt.date(2026, 4, 1)):
        event(day, reach=100)
    client.force_login(caseworker_a)
    month = client.get("/outreach/events/", {"month": "2026-03"}).context["month"]
    assert month.weeks[0][0].date == dt.date(2026, 2, 23)  # 1 March 2026 is a Sunday
    assert month.weeks[-1][-1].date == dt.date(2026, 4, 5)
    assert all(len(week) == 7 and week[0].date.weekday() == 0 for week in month.weeks)
    assert [d.date.day for d in month.days] == list(range(1, 32))
    assert (month.n_events, month.reach) == (2, 200)
    by_date = {d.date: d for week in month.weeks for d in week}
    assert not by_date[dt.date(2026, 2, 28)].in_month and len(by_date[dt.date(2026, 2, 28)].events) == 1
    assert len(by_date[dt.date(2026, 4, 1)].events) == 1 and not by_date[dt.date(2026, 4, 1)].in_month
    assert (month.previous, month.next) == (dt.date(2026, 2, 1), dt.date(2026, 4, 1))


@pytest.mark.parametrize(
    "month,n_days,previous,next_",
    [
        ("2028-02", 29, dt.date(2028, 1, 1), dt.date(2028, 3, 1)),  # beyond the range: tested on the selector
        ("2027-02", 28, dt.date(2027, 1, 1), dt.date(2027, 3, 1)),
        ("2026-12", 31, dt.date(2026, 11, 1), dt.date(2027, 1, 1)),
        ("2026-01", 31, dt.date(2025, 12, 1), dt.date(2026, 2, 1)),
    ],
)
def test_month_lengths_and_year_edges(caseworker_a, month, n_days, previous, next_):
    first = dt.date(int(month[:4]), int(month[5:]), 1)
    m = selectors.month_get(user=caseworker_a, first=first, district=None)
    assert len(m.days) == n_days and (m.previous, m.next) == (previous, next_)


def test_the_current_month_is_the_default(client, caseworker_a):
    client.force_login(caseworker_a)
    r = client.get("/outreach/events/")
    assert r.status_code == 200 and r.context["month"].first == dt.date(2026, 6, 1)


@pytest.mark.parametrize(
    "month,ok",
    [
        ("2026-13", False),
        ("2026-00", False),
        ("2026-3", False),
        ("abc", False),
        ("2019-12", False),
        ("2020-01", True),
        ("2027-06", True),
        ("2027-07", False),
    ],
)
def test_month_parameter_boundaries(client, caseworker_a, month, ok):
    client.force_login(caseworker_a)
    r = client.get("/outreach/events/", {"month": month})
    assert r.status_code == (200 if ok else 400)
    if not ok:
        assert "月份" in r.content.decode()


def test_districts_on_the_calendar(client, caseworker_a):
    mine, theirs, city = (
        event(dt.date(2026, 6, 2), A),
        event(dt.date(2026, 6, 3), B),
        event(dt.date(2026, 6, 4), None),
    )

    def seen(user, **params):
        client.force_login(user)
        r = client.get("/outreach/events/", {"month": "2026-06", **params})
        return r.status_code, {
            e.pk for d in r.context["month"].days for e in d.events
        } if r.status_code == 200 else None

    assert seen(caseworker_a) == (200, {mine.pk, city.pk})
    assert seen(caseworker_a, district=A) == (200, {mine.pk, city.pk})
    assert seen(caseworker_a, district=B)[0] == 404
    assert seen(caseworker_a, district="999999")[0] == 404
    manager = make_user("city_manager")
    assert seen(manager) == (200, {mine.pk, theirs.pk, city.pk})
    assert seen(manager, district=B) == (200, {theirs.pk, city.pk})
    assert seen(make_user("street_staff", street="150302001")) == (200, {mine.pk, city.pk})


def test_the_calendar_page_shows_events_and_the_months_campaigns(client, caseworker_a):
    event(dt.date(2026, 7, 1), A, title="社保宣传月启动仪式")
    client.force_login(caseworker_a)
    html = client.get("/outreach/events/", {"month": "2026-07"}).content.decode()
    for text in (
        "社保宣传月启动仪式",
        "本月建议开展的宣传",
        "高校毕业生参保宣传",
        "社会保险宣传月",
        "日期为假设",
    ):
        assert text in html, text
    assert 'class="monthgrid"' in html and 'class="daylist"' in html  # grid on a desk, list on a phone


# --- seasonal campaigns ----------------------------------------------------------------


def _codes(start, end):
    return [c.code for c in seasons.campaigns_between(start, end)]


def test_spring_festival_and_migrant_return_windows_2026():
    by_code = {c.code: c for c in seasons.campaigns_of_year(2026)}
    sf, back = by_code["spring_festival"], by_code["migrant_return"]
    assert (sf.start, sf.end) == (dt.date(2026, 2, 3), dt.date(2026, 2, 23))  # 春节 17 February 2026
    assert (back.start, back.end) == (dt.date(2026, 2, 24), dt.date(2026, 4, 6))
    assert _codes(dt.date(2026, 2, 2), dt.date(2026, 2, 2)) == []
    assert _codes(dt.date(2026, 2, 3), dt.date(2026, 2, 3)) == ["spring_festival"]
    assert _codes(dt.date(2026, 2, 23), dt.date(2026, 2, 24)) == ["spring_festival", "migrant_return"]
    assert _codes(dt.date(2026, 4, 6), dt.date(2026, 4, 6)) == ["migrant_return"]
    assert _codes(dt.date(2026, 4, 7), dt.date(2026, 5, 31)) == []


def test_a_january_spring_festival_starts_its_campaign_in_the_previous_year():
    # 春节 26 January 2028: the campaign starts 12 January; 2025's (29 January) on 15 January.
    assert _codes(dt.date(2028, 1, 11), dt.date(2028, 1, 11)) == []
    assert _codes(dt.date(2028, 1, 12), dt.date(2028, 1, 12)) == ["spring_festival"]
    assert _codes(dt.date(2025, 1, 15), dt.date(2025, 1, 15)) == ["spring_festival"]
    assert _codes(dt.date(2024, 12, 20), dt.date(2024, 12, 31)) == []  # 2024 is not in the table


def test_graduation_and_the_publicity_month():
    assert _codes(dt.date(2026, 5, 31), dt.date(2026, 5, 31)) == []
    assert _codes(dt.date(2026, 6, 1), dt.date(2026, 6, 30)) == ["graduation"]
    assert _codes(dt.date(2026, 7, 1), dt.date(2026, 7, 31)) == ["graduation", "publicity_month"]
    assert _codes(dt.date(2026, 8, 1), dt.date(2026, 8, 1)) == []
    month = {c.code: c for c in seasons.campaigns_of_year(2027)}
    assert month["publicity_month"].assumption and not month["graduation"].assumption


def test_years_outside_the_spring_festival_table_get_no_spring_campaigns():
    assert seasons.has_spring_festival(2028) and not seasons.has_spring_festival(2029)
    assert {c.code for c in seasons.campaigns_of_year(2029)} == {"graduation", "publicity_month"}


def test_the_days_of_the_grid_carry_their_campaigns(caseworker_a):
    m = selectors.month_get(user=caseworker_a, first=dt.date(2026, 2, 1), district=None)
    by_date = {d.date: [c.code for c in d.campaigns] for week in m.weeks for d in week}
    assert by_date[dt.date(2026, 2, 2)] == [] and by_date[dt.date(2026, 2, 3)] == ["spring_festival"]
    assert by_date[dt.date(2026, 2, 24)] == ["migrant_return"]
    assert [c.code for c in m.campaigns] == ["spring_festival", "migrant_return"]


def test_the_grid_names_a_campaign_where_it_begins_and_on_mondays(caseworker_a):
    m = selectors.month_get(user=caseworker_a, first=dt.date(2026, 6, 1), district=None)
    by_date = {d.date: d for week in m.weeks for d in week}
    assert [c.code for c in by_date[dt.date(2026, 6, 1)].starts] == ["graduation"]  # a Monday, and its start
    assert by_date[dt.date(2026, 6, 2)].labelled == [] and by_date[dt.date(2026, 6, 2)].campaigns
    assert [c.code for c in by_date[dt.date(2026, 6, 8)].labelled] == ["graduation"]  # the next Monday
    assert [c.code for c in by_date[dt.date(2026, 7, 1)].labelled] == ["publicity_month"]  # begins mid-week
