import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from outreach.models import PublicityPosting
from tests.assessment import factories
from tests.enrollment import hostile
from tests.factories import make_user

A, B = factories.A, factories.B


def _png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    return SimpleUploadedFile("../../etc/passwd.png", buf.getvalue(), content_type="image/png")


@pytest.fixture
def staff(db):
    return make_user("street_staff", street="150302001")


def test_street_staff_record_a_posting_in_their_street(client, staff):
    community = factories.communities(A)[0]
    assert community.street_id == "150302001"
    client.force_login(staff)
    r = client.post(
        "/outreach/postings/new/",
        {"community": community.code, "posted_on": "2026-03-01", "note": "张贴参保政策海报", "photo": _png()},
    )
    assert r.status_code == 302
    p = PublicityPosting.objects.get()
    assert (p.community, p.posted_by, p.posted_on, p.note) == (
        community,
        staff,
        dt.date(2026, 3, 1),
        "张贴参保政策海报",
    )
    assert p.photo.name.endswith(".png") and "passwd" not in p.photo.name
    photo = client.get(f"/outreach/postings/{p.pk}/photo/")
    assert photo.status_code == 200


@pytest.mark.parametrize(
    "role,kw,community_district,ok",
    [
        ("street_staff", {"street": "150302001"}, A, True),
        ("district_caseworker", {"district": A}, A, True),
        ("district_caseworker", {"district": B}, A, False),
        ("city_manager", {}, B, True),
    ],
)
def test_postings_only_inside_the_jurisdiction(client, db, role, kw, community_district, ok):
    user = make_user(role, **kw)
    community = factories.communities(community_district)[0]
    client.force_login(user)
    r = client.post("/outreach/postings/new/", {"community": community.code, "posted_on": "2026-03-01"})
    assert (r.status_code == 302) is ok
    if not ok:
        assert r.status_code == 400 and "辖区内的社区" in r.content.decode()
        assert client.get(f"/outreach/postings/new/?community={community.code}").status_code == 404


def test_another_streets_community_is_404_for_street_staff(client, staff):
    other_street = next(c for c in factories.communities(A) if c.street_id != "150302001")
    client.force_login(staff)
    assert client.get(f"/outreach/postings/new/?community={other_street.code}").status_code == 404


def test_a_posting_outside_the_jurisdiction_is_404(client, db, city_manager):
    p = factories.posting(factories.communities(B)[0], dt.date(2026, 2, 1), city_manager)
    p.photo.save("x.png", _png(), save=True)
    client.force_login(make_user("district_caseworker", district=A))
    assert client.get(f"/outreach/postings/{p.pk}/photo/").status_code == 404
    client.force_login(make_user("district_caseworker", district=B))
    assert client.get(f"/outreach/postings/{p.pk}/photo/").status_code == 200


def test_the_list_shows_the_years_coverage_within_the_jurisdiction(client, staff, city_manager):
    mine = [c for c in factories.communities(A) if c.street_id == "150302001"]
    factories.posting(mine[0], dt.date(2026, 2, 1), staff)
    factories.posting(mine[0], dt.date(2025, 2, 1), staff)
    factories.posting(factories.communities(B)[0], dt.date(2026, 2, 1), city_manager)
    client.force_login(staff)
    r = client.get("/outreach/postings/?year=2026")
    assert r.status_code == 200
    assert len(r.context["coverage"]) == len(mine)
    assert r.context["covered"] == 1
    assert [p.community for p in r.context["page"]] == [mine[0]]
    assert client.get("/outreach/postings/?year=abc").status_code == 400


@pytest.mark.parametrize(
    "data,error",
    [
        ({"posted_on": "2999-01-01"}, "不能晚于今天"),
        ({"posted_on": "2019-12-31"}, "不能早于"),
        ({"posted_on": "not a date"}, "日期"),
    ],
)
def test_bad_dates_are_form_errors(client, staff, data, error):
    client.force_login(staff)
    r = client.post("/outreach/postings/new/", {"community": factories.communities(A)[0].code, **data})
    assert r.status_code == 400
    assert (
        error in r.content.decode()
        or "Enter a valid date" in r.content.decode()
        or "有效" in r.content.decode()
    )
    assert not PublicityPosting.objects.exists()


def test_a_photo_that_is_no_image_is_refused(client, staff):
    client.force_login(staff)
    fake = SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    r = client.post(
        "/outreach/postings/new/",
        {"community": factories.communities(A)[0].code, "posted_on": "2026-03-01", "photo": fake},
    )
    assert r.status_code == 400 and "JPEG 或 PNG" in r.content.decode()


@pytest.mark.parametrize(
    "name, build, fragment",
    [
        ("bomb.png", lambda: hostile.png_bomb(200_000, 200_000), "百万像素的上限"),
        ("bomb.jpg", lambda: hostile.jpeg_bomb(65_000, 65_000), "百万像素的上限"),
        ("big.png", lambda: hostile.png_bomb(10_000, 6_000), "10000 × 6000 像素"),  # under Pillow's own limit
        ("truncated.png", lambda: hostile.png_ok(64, 64)[:60], "JPEG 或 PNG"),
        ("x.gif", lambda: b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "JPEG 或 PNG"),
    ],
)
def test_a_decompression_bomb_photo_is_a_form_error_and_the_next_upload_works(
    client, staff, name, build, fragment
):
    """The 68-byte PNG that claims 200,000 × 200,000 pixels answered 500; now a form error."""
    client.force_login(staff)
    community = factories.communities(A)[0].code
    content = build()
    if name == "bomb.png":
        assert len(content) < 100
    r = client.post(
        "/outreach/postings/new/",
        {
            "community": community,
            "posted_on": "2026-03-01",
            "photo": SimpleUploadedFile(name, content, content_type="image/png"),
        },
    )
    assert r.status_code == 400 and fragment in r.content.decode(), r.content.decode()[:2000]
    assert not PublicityPosting.objects.exists()
    ok = client.post(
        "/outreach/postings/new/",
        {
            "community": community,
            "posted_on": "2026-03-01",
            "photo": SimpleUploadedFile("p.png", hostile.png_ok()),
        },
    )
    assert ok.status_code == 302 and PublicityPosting.objects.get().photo.name.endswith(".png")


@pytest.mark.parametrize(
    "role,kw,status",
    [
        ("inspector", {}, 403),
        ("partner", {"department": "market"}, 403),
    ],
)
def test_roles_without_post_publicity_are_refused(client, db, role, kw, status):
    client.force_login(make_user(role, **kw))
    assert client.get("/outreach/postings/").status_code == status
    assert client.get("/outreach/postings/new/").status_code == status


def test_a_posting_counts_for_publicity_coverage(client, staff):
    from assessment import selectors

    client.force_login(staff)
    client.post(
        "/outreach/postings/new/", {"community": factories.communities(A)[0].code, "posted_on": "2026-03-01"}
    )
    counts = selectors.district_counts_get(selectors.Period(2026, dt.date(2026, 3, 31)))
    assert (counts[A]["publicity_coverage"].numerator, counts[A]["publicity_coverage"].denominator) == (1, 43)


def test_messages_follow_the_users_language(client, staff):
    client.force_login(staff)
    assert "年度无效" in client.get("/outreach/postings/?year=abc").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/outreach/postings/"})
    body = client.get("/outreach/postings/?year=abc").content.decode()
    assert "Invalid year" in body and "年度无效" not in body
