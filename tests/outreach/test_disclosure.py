"""Employer disclosure: documents filed by district caseworkers (type-checked, behind the
access check), the public yearly headcount table and the employer's PDF certificate."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from enrollment.models import Employer
from outreach.disclosure import certificate, selectors, services
from outreach.disclosure.forms import MAX_DOCUMENT_BYTES
from outreach.models import DisclosureDocument
from tests.enrollment import hostile
from tests.factories import load_snapshot, make_id_number, make_uscc, make_user
from wuhai_coverage.core.privacy import _ID_LIKE, _MOBILE_LIKE

pytestmark = pytest.mark.django_db

A, B = "150302", "150304"  # 海勃湾区, 乌达区
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(name: str = "letter.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _jpeg() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buf, "JPEG")
    return SimpleUploadedFile("scan.jpeg", buf.getvalue(), content_type="image/jpeg")


def employer_row(uscc: str, name: str, district: str = A, **kw) -> dict:
    return {
        "uscc": uscc,
        "name": name,
        "district_code": district,
        "insured_pension": kw.get("pension", 10),
        "insured_injury": kw.get("injury", 9),
        "insured_unemployment": kw.get("unemployment", 8),
        "declared_base_total": kw.get("base", "987654.32"),
        "arrears_amount": kw.get("arrears", "4321.09"),
        "last_paid_period": 202605,
    }


@pytest.fixture
def employers(db):
    """Two employers in the registry and the HRSS snapshot: one of 海勃湾区, one of 乌达区."""
    a = Employer.objects.create(
        uscc=make_uscc(), name="乌海市黄河煤业有限公司", district_id=A, street_id="150302001"
    )
    b = Employer.objects.create(uscc=make_uscc(prefix="91150304"), name="乌达区新材料有限公司", district_id=B)
    load_snapshot(
        "insurance_employers",
        [
            employer_row(a.uscc, a.name, A, pension=120, injury=118, unemployment=95),
            employer_row(b.uscc, b.name, B),
        ],
        snapshot_date=dt.date(2026, 5, 31),
    )
    return a, b


@pytest.fixture
def caseworker_a(db):
    return make_user("district_caseworker", district=A)


def _upload(client, employer, *, kind="commitment_letter", year=2026, file=None):
    return client.post(
        "/outreach/disclosure/new/",
        {"uscc": employer.uscc.lower(), "kind": kind, "year": year, "file": file or _pdf()},
    )


# --- uploads ---------------------------------------------------------------------------


def test_a_caseworker_files_a_letter_for_an_employer_of_the_district(client, employers, caseworker_a):
    a, _ = employers
    client.force_login(caseworker_a)
    r = _upload(client, a, file=_pdf("../../etc/passwd.pdf"))
    assert r.status_code == 302
    doc = DisclosureDocument.objects.get()
    assert (doc.uscc, doc.employer_name, doc.district_id, doc.kind, doc.year, doc.uploaded_by) == (
        a.uscc,
        a.name,
        A,
        "commitment_letter",
        2026,
        caseworker_a,
    )
    assert doc.content_type == "application/pdf" and doc.size_bytes == len(PDF) and len(doc.sha256) == 64
    assert doc.uploaded_at is not None
    assert "passwd" not in doc.file.name and doc.file.name.endswith(".pdf")
    download = client.get(f"/outreach/disclosure/{doc.pk}/document/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF


def test_a_jpeg_scan_is_accepted_with_its_type_from_its_bytes(client, employers, caseworker_a):
    client.force_login(caseworker_a)
    assert _upload(client, employers[0], kind="union_confirmation", file=_jpeg()).status_code == 302
    doc = DisclosureDocument.objects.get()
    assert doc.content_type == "image/jpeg" and doc.file.name.endswith(".jpg")


def test_another_districts_employer_cannot_be_filed_or_read(client, employers, caseworker_a):
    a, b = employers
    client.force_login(caseworker_a)
    r = _upload(client, b)
    assert r.status_code == 400 and "本辖区的用人单位中没有" in r.content.decode()
    assert not DisclosureDocument.objects.exists()
    # A document of 乌达区, filed by its own caseworker: 404 for 海勃湾区, 200 for the city.
    client.force_login(make_user("district_caseworker", district=B))
    assert _upload(client, b).status_code == 302
    doc = DisclosureDocument.objects.get()
    client.force_login(caseworker_a)
    assert client.get(f"/outreach/disclosure/{doc.pk}/document/").status_code == 404
    assert list(client.get("/outreach/disclosure/").context["page"]) == []
    client.force_login(make_user("city_manager"))
    assert client.get(f"/outreach/disclosure/{doc.pk}/document/").status_code == 200


@pytest.mark.parametrize("role,kw", [("street_staff", {"street": "150302001"}), ("inspector", {})])
def test_roles_without_the_capability_are_refused(client, employers, role, kw):
    client.force_login(make_user(role, **kw))
    assert client.get("/outreach/disclosure/").status_code == 403
    assert _upload(client, employers[0]).status_code == 403
    assert not DisclosureDocument.objects.exists()


def test_anonymous_staff_pages_go_to_the_login(client, employers):
    assert client.get("/outreach/disclosure/").status_code == 302
    assert _upload(client, employers[0]).status_code == 302
    assert not DisclosureDocument.objects.exists()


def test_the_service_checks_capability_and_district_itself(employers, caseworker_a):
    a, b = employers
    with pytest.raises(services.DisclosureError):
        services.document_upload(
            actor=caseworker_a, employer=b, kind="commitment_letter", year=2026, file=_pdf()
        )
    with pytest.raises(PermissionDenied):
        services.document_upload(
            actor=make_user("street_staff", street="150302001"),
            employer=a,
            kind="commitment_letter",
            year=2026,
            file=_pdf(),
        )
    with pytest.raises(services.DisclosureError):
        services.document_upload(
            actor=caseworker_a, employer=a, kind="commitment_letter", year=2019, file=_pdf()
        )
    assert not DisclosureDocument.objects.exists()


HOSTILE = [
    ("an executable named .pdf", lambda: _pdf("x.pdf", b"MZ\x90\x00" + b"\x00" * 200), "PDF、JPEG 或 PNG"),
    (
        "HTML sent as a PDF",
        lambda: _pdf("x.pdf", b"<html><script>alert(1)</script></html>"),
        "PDF、JPEG 或 PNG",
    ),
    ("a GIF", lambda: _pdf("x.png", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "PDF、JPEG 或 PNG"),
    ("an empty file", lambda: _pdf("x.pdf", b""), "文件是空的"),
    ("a truncated PDF", lambda: _pdf("x.pdf", PDF[:-7]), "PDF 文件不完整"),
    (
        "a PNG header over garbage",
        lambda: _pdf("x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
        "PDF、JPEG 或 PNG",
    ),
    ("a decompression bomb", lambda: _pdf("x.png", hostile.png_bomb(200_000, 200_000)), "百万像素的上限"),
    (
        "a PDF one byte over the limit",
        lambda: _pdf("x.pdf", b"%PDF-1.4\n" + b"0" * (MAX_DOCUMENT_BYTES - 14) + b"%%EOF\n"),
        "不能超过 10 MB",
    ),
]


@pytest.mark.parametrize("what,build,message", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_files_are_form_errors_and_nothing_is_stored(
    client, employers, caseworker_a, settings, what, build, message
):
    from pathlib import Path

    client.force_login(caseworker_a)
    upload = build()
    if what.endswith("over the limit"):
        assert upload.size == MAX_DOCUMENT_BYTES + 1
    r = _upload(client, employers[0], file=upload)
    assert r.status_code == 400, what
    assert message in r.content.decode()
    assert not DisclosureDocument.objects.exists()
    assert not list(Path(settings.MEDIA_ROOT).glob("disclosure/**/*.*"))


def test_a_pdf_at_the_limit_is_accepted(client, employers, caseworker_a):
    client.force_login(caseworker_a)
    content = b"%PDF-1.4\n" + b"0" * (MAX_DOCUMENT_BYTES - 15) + b"%%EOF\n"
    assert len(content) == MAX_DOCUMENT_BYTES
    assert _upload(client, employers[0], file=_pdf("big.pdf", content)).status_code == 302


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("uscc", "91150302MA0N12345X", "校验位"),
        ("uscc", "123", "应为18位"),
        ("year", "2019", "年度应在 2020 至 2026 之间"),
        ("year", "2027", "年度应在 2020 至 2026 之间"),
        ("kind", "contract", "选择"),
    ],
)
def test_bad_fields_are_form_errors(client, employers, caseworker_a, field, value, message):
    client.force_login(caseworker_a)
    data = {"uscc": employers[0].uscc, "kind": "commitment_letter", "year": "2026", "file": _pdf()}
    data[field] = value
    r = client.post("/outreach/disclosure/new/", data)
    assert r.status_code == 400 and message in r.content.decode()
    assert not DisclosureDocument.objects.exists()


# --- the public table ------------------------------------------------------------------


def test_the_public_table_shows_headcounts_and_no_person_data(client, employers, caseworker_a):
    a, b = employers
    id_number = make_id_number(dt.date(1985, 3, 2))
    load_snapshot(
        "insurance_persons",
        [
            {
                "id_number": id_number,
                "name": "王秀英",
                "insurance_type": "pension",
                "scheme": "employee",
                "status": "active",
                "employer_uscc": a.uscc,
                "phone": "13912345678",
                "birth_date": dt.date(1985, 3, 2),
                "sex": "F",
            }
        ],
    )
    client.force_login(caseworker_a)
    _upload(client, a, kind="commitment_letter")
    client.logout()
    r = client.get("/disclosure/")
    assert r.status_code == 200
    html = r.content.decode()
    rows = {row["uscc"]: row for row in r.context["page"]}
    assert set(rows) == {a.uscc, b.uscc}
    assert rows[a.uscc] == {
        "uscc": a.uscc,
        "name": a.name,
        "district_name": "海勃湾区",
        "insured_pension": 120,
        "insured_injury": 118,
        "insured_unemployment": 95,
        "has_letter": True,
        "has_union": False,
    }
    assert rows[b.uscc]["district_name"] == "乌达区" and rows[b.uscc]["has_letter"] is False
    assert "海勃湾区" in html and "已备案" in html and "150302" not in html.replace(a.uscc, "")
    for private in ("王秀英", id_number, "13912345678", "987654", "4321"):
        assert private not in html
    assert not _ID_LIKE.search(html) and not _MOBILE_LIKE.search(html)
    assert r.context["snapshot"].batch.snapshot_date == dt.date(2026, 5, 31)


@pytest.mark.parametrize(
    "q,expected",
    [
        ("黄河", ["乌海市黄河煤业有限公司"]),
        ("新材料", ["乌达区新材料有限公司"]),
        ("不存在的单位", []),
        ("", None),
    ],
)
def test_search_by_name(client, employers, q, expected):
    names = [row["name"] for row in client.get("/disclosure/", {"q": q}).context["page"]]
    assert names == (expected if expected is not None else sorted(e.name for e in employers))


def test_search_by_uscc_prefix_in_any_case(client, employers):
    a, _ = employers
    r = client.get("/disclosure/", {"q": a.uscc[:12].lower()})
    assert [row["uscc"] for row in r.context["page"]] == [a.uscc]
    assert "没有符合条件的单位" in client.get("/disclosure/", {"q": "zzzz"}).content.decode()


def test_a_search_text_over_the_limit_is_a_400(client, employers):
    assert client.get("/disclosure/", {"q": "煤" * 100}).status_code == 200
    r = client.get("/disclosure/", {"q": "煤" * 101})
    assert r.status_code == 400 and "100" in r.content.decode()


@pytest.mark.parametrize("year", ["abc", "2019", "2027", "-1", "2026.0"])
def test_a_bad_year_is_a_400_with_the_range(client, employers, year):
    r = client.get("/disclosure/", {"year": year})
    assert r.status_code == 400 and "2020 至 2026" in r.content.decode()


def test_each_year_reads_the_snapshot_current_at_its_end(client, employers):
    a, _ = employers
    old = load_snapshot(
        "insurance_employers", [employer_row(a.uscc, a.name, pension=70)], snapshot_date=dt.date(2025, 12, 31)
    )
    load_snapshot(
        "insurance_employers", [employer_row(a.uscc, a.name, pension=5)], snapshot_date=dt.date(2024, 6, 30)
    )
    DisclosureDocument.objects.create(
        kind="union_confirmation",
        year=2025,
        uscc=a.uscc,
        employer_name=a.name,
        district_id=A,
        file="disclosure/x.pdf",
        content_type="application/pdf",
        uploaded_by=make_user("city_manager"),
    )
    r2025 = client.get("/disclosure/", {"year": "2025"})
    assert r2025.context["snapshot"].batch == old
    [row] = list(r2025.context["page"])
    assert (row["insured_pension"], row["has_union"]) == (70, True)
    [row24] = list(client.get("/disclosure/", {"year": "2024"}).context["page"])
    assert row24["insured_pension"] == 5 and row24["has_union"] is False
    r2026 = {row["uscc"]: row for row in client.get("/disclosure/").context["page"]}
    assert r2026[a.uscc]["insured_pension"] == 120 and r2026[a.uscc]["has_union"] is False
    empty = client.get("/disclosure/", {"year": "2021"})
    assert empty.status_code == 200 and "该年度尚无参保单位名册数据" in empty.content.decode()


def test_the_table_is_paginated_with_a_constant_number_of_queries(client, db):
    rows = [employer_row(make_uscc(), f"测试单位{i:03d}有限公司") for i in range(53)]
    load_snapshot("insurance_employers", rows, snapshot_date=dt.date(2026, 6, 1))
    with CaptureQueriesContext(connection) as first:
        page1 = client.get("/disclosure/")
    assert len(page1.context["page"]) == 50 and page1.context["page"].paginator.count == 53
    page2 = client.get("/disclosure/", {"page": "2"})
    assert [r["name"] for r in page2.context["page"]] == [f"测试单位{i:03d}有限公司" for i in range(50, 53)]
    assert client.get("/disclosure/", {"page": "99"}).status_code == 200  # the last page
    with CaptureQueriesContext(connection) as small:
        client.get("/disclosure/", {"q": "测试单位001"})
    assert len(first) == len(small) <= 6, [q["sql"][:80] for q in first.captured_queries]


# --- the certificate -------------------------------------------------------------------


def test_an_employers_certificate_is_a_chinese_a4_pdf(client, employers, tmp_path):
    a, _ = employers
    r = client.get(f"/disclosure/{a.uscc}.pdf", {"year": "2026"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and f"disclosure-{a.uscc}-2026.pdf" in r["Content-Disposition"]
    path = tmp_path / "c.pdf"
    path.write_bytes(r.content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"CJK", fonts), fonts  # Chinese glyphs, not boxes
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89" in info or "A4" in info, info
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = re.sub(r"\s+", "", text)  # lines wrap anywhere in Chinese
    for expected in (a.name, a.uscc, "海勃湾区", "120", "118", "95", "未备案", "不含任何个人信息"):
        assert expected in text, expected
    assert "987654" not in text and "4321" not in text


def test_a_certificate_holds_the_public_row_only(employers):
    a, _ = employers
    snapshot = selectors.snapshot_for_year(2026)
    html = certificate.render_html(
        row=selectors.public_row_get(snapshot=snapshot, uscc=a.uscc), snapshot=snapshot
    )
    assert "用人单位参保情况公示证明" in html and "2026年5月31日" in html and "乌人社公示〔2026〕" in html
    assert "<style" not in html and "987654" not in html


def test_a_certificate_of_an_employer_not_in_the_years_snapshot_is_404(client, employers):
    a, _ = employers
    assert client.get(f"/disclosure/{make_uscc()}.pdf").status_code == 404
    assert client.get(f"/disclosure/{a.uscc}.pdf", {"year": "2022"}).status_code == 404
    assert client.get(f"/disclosure/{a.uscc}.pdf", {"year": "1999"}).status_code == 400
    assert client.get(f"/disclosure/{a.uscc.lower()}.pdf").status_code == 200


def test_a_certificate_is_rendered_once_until_what_it_shows_changes(
    client, employers, monkeypatch, caseworker_a
):
    a, _ = employers
    renders = []
    monkeypatch.setattr(certificate, "render_pdf", lambda **kw: renders.append(kw) or b"%PDF-1.4\n% stub\n")
    for _ in range(3):
        assert client.get(f"/disclosure/{a.uscc}.pdf").status_code == 200
    assert len(renders) == 1 and renders[0]["row"]["has_letter"] is False
    client.force_login(caseworker_a)
    _upload(client, a)  # the row now shows the letter on file: a new certificate
    client.logout()
    assert client.get(f"/disclosure/{a.uscc}.pdf").status_code == 200
    assert len(renders) == 2 and renders[1]["row"]["has_letter"] is True
