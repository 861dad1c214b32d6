"""Privacy by construction, checked from outside: every GET URL of the URLconf (enumerated
from django.urls.get_resolver, so a new page is walked without editing this file) is
fetched as each role over a seeded world — demo rosters, a comparison run's tasks of every
kind, the registry, a roster with errors, notices (real PDFs), assessment rows — and every
answer (HTML, JSON, XLSX through openpyxl, PDF through pdftotext, and the Location of a
redirect) is searched for

- a valid 18-digit ID number in clear,
- an 11-digit mainland mobile number in clear,
- a masked ID number (150302********2983) near the birth date it hides (which would make
  the whole number).

Plain GETs never reveal: the access log must be empty at the end.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import time
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from tests.enrollment.factories import roster_csv, valid_row
from wuhai_coverage.core.validators import fast_id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

ROLES = ("manager", "haibowan", "fenghuangling", "inspector", "market")  # the demo users, one per role

ID_IN_CLEAR = re.compile(r"(?<![0-9A-Za-z])(\d{17}[0-9Xx])(?![0-9A-Za-z])")
PHONE_IN_CLEAR = re.compile(r"(?<![0-9])(1[3-9]\d{9})(?![0-9])")
MASKED_ID = re.compile(r"(\d{6})\*{8}(\d{3}[0-9X])")
DATES = re.compile(r"((?:19|20)\d\d)\s*(?:[-/.年]\s*)?(\d{1,2})\s*(?:[-/.月]\s*)?(\d{1,2})")
NEAR = 400  # characters either side of a masked ID that count as "beside it"


# --- The answers, as text ------------------------------------------------------------


def _xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content), read_only=True)
    lines = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            lines.append("\t".join("" if v is None else str(v) for v in row))
    return "\n".join(lines)


def _pdf_text(content: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True, timeout=60
    )
    return out.stdout.decode("utf-8", "replace")


def answer_text(response) -> str:
    parts = [response.get("Location", "")]
    ctype = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in ctype:
        parts.append(_xlsx_text(content))
    elif "pdf" in ctype:
        parts.append(_pdf_text(content))
    elif ctype.startswith("image/"):
        parts.append("")  # a photo carries no text to check
    elif "json" in ctype:
        parts.append(json.dumps(json.loads(content or b"null"), ensure_ascii=False))
    else:
        parts.append(content.decode("utf-8", "replace"))
    return "\n".join(parts)


def _plausible_id(candidate: str) -> bool:
    code = fast_id_number(candidate)
    return code == candidate.upper() and 1900 <= int(code[6:10]) <= timezone.localdate().year


def leaks(text: str, *, known_ids: set[str], not_personal: set[str]) -> list[str]:
    """What in `text` gives a person's ID number or phone away."""
    found = []
    for m in ID_IN_CLEAR.finditer(text):
        value = m.group(1).upper()
        if value not in not_personal and _plausible_id(value):
            found.append(f"ID number in clear: {value}")
    for m in PHONE_IN_CLEAR.finditer(text):
        found.append(f"mobile number in clear: {m.group(1)}")
    for m in MASKED_ID.finditer(text):
        region, tail = m.groups()
        window = text[max(0, m.start() - NEAR) : m.end() + NEAR]
        for d in DATES.finditer(window):
            candidate = f"{region}{d.group(1)}{int(d.group(2)):02d}{int(d.group(3)):02d}{tail}"
            if candidate in known_ids:
                found.append(f"masked ID {m.group(0)} beside its birth date {d.group(0)!r}")
    return found


def test_the_leak_detector_catches_what_it_must():
    """The checker itself, on made-up text (so a green walk means something)."""
    idn = "150302197307282983"
    assert _plausible_id(idn)
    known = {idn}
    assert leaks(f"<td>{idn}</td>", known_ids=known, not_personal=set())
    assert leaks("电话 13812345678。", known_ids=known, not_personal=set())
    assert leaks("<td>150302********2983</td><td>1973-07-28</td>", known_ids=known, not_personal=set())
    assert leaks("150302********2983 出生 1973年7月28日", known_ids=known, not_personal=set())
    assert not leaks(
        "<td>150302********2983</td><td>1973</td><td>138****5678</td>", known_ids=known, not_personal=set()
    )
    assert not leaks(f"91150302MA0{idn}", known_ids=known, not_personal=set())  # inside a longer code


# --- The seeded world ------------------------------------------------------------------


@dataclass
class World:
    users: dict
    fills: dict = field(default_factory=dict)  # URL prefix → path parameters to try
    known_ids: set = field(default_factory=set)
    not_personal: set = field(default_factory=set)


STREET = "150302001"  # fenghuangling's street


@pytest.fixture
def world(settings, tmp_path) -> World:
    from assessment.demo import load_demo_assessment
    from enforcement import services as task_services
    from enforcement.demo import run_demo_comparison
    from enforcement.models import ComparisonRun, Notice, Task
    from enrollment.demo import load_demo_rosters
    from enrollment.models import ROW_MODELS, Employer, Person, RosterBatch
    from enrollment.registry import load_demo_registry
    from enrollment.services import roster_receive
    from outreach.models import PublicityPosting
    from wuhai_coverage.core.demo import ensure_demo_users

    users = {u.username: u for u in ensure_demo_users()[0]}
    load_demo_rosters(scale=0.02)
    run_demo_comparison()
    load_demo_assessment()
    load_demo_registry()

    # Some person tasks (with their roster rows) in the street worker's street, one assigned to them.
    person_tasks = list(Task.objects.filter(subject_type="person").order_by("kind", "pk")[:6])
    Task.objects.filter(pk__in=[t.pk for t in person_tasks]).update(district_id="150302", street_id=STREET)
    Person.objects.filter(id_number__in=[t.subject_key for t in person_tasks]).update(
        district_id="150302", street_id=STREET
    )
    if person_tasks:
        task_services.task_assign(
            task=Task.objects.get(pk=person_tasks[0].pk),
            actor=users["haibowan"],
            assignee=users["fenghuangling"],
        )
        task_services.task_record_contact(
            task=Task.objects.get(pk=person_tasks[0].pk),
            actor=users["fenghuangling"],
            channel="phone",
            outcome="reached",
            note="已电话联系",
        )

    # Notices (real PDFs): on a person task and on an employer task.
    deadline = timezone.localdate() + dt.timedelta(days=30)
    for subject_type in ("person", "employer", "project"):
        t = Task.objects.filter(subject_type=subject_type, status="open").order_by("pk").first()
        if t is not None:
            task_services.notice_issue(task=t, actor=users["manager"], deadline=deadline)

    # A roster with errors: bad ID numbers (wrong check digit, impossible birth date) and a bad phone,
    # dated before the demo's snapshot so that the demo stays current.
    good = valid_row("household_registry")
    bad_check = good["id_number"][:17] + ("0" if good["id_number"][17] != "0" else "1")
    bad_date = good["id_number"][:10] + "1332" + good["id_number"][14:]
    rows = [
        good,
        valid_row("household_registry", id_number=bad_check),
        valid_row("household_registry", id_number=bad_date),
        valid_row("household_registry", phone="1381234567"),
    ]
    roster_receive(
        kind="household_registry",
        pushed_by=users["manager"],
        upload=SimpleUploadedFile("errors.csv", roster_csv("household_registry", rows)),
        snapshot_date=timezone.localdate() - dt.timedelta(days=40),
    )
    known = {good["id_number"], bad_check, bad_date}
    PublicityPosting.objects.create(
        community_id=users["fenghuangling"].street.communities.first().code,
        posted_on=timezone.localdate(),
        posted_by=users["fenghuangling"],
        note="张贴",
    )
    # Employer disclosure and events: a filed letter, an event with a photo.
    from django.core.files.base import ContentFile

    from enrollment.selectors import snapshot_rows_list
    from outreach.models import DisclosureDocument, OutreachEvent, OutreachEventPhoto

    disclosed = list(
        snapshot_rows_list(kind="insurance_employers", as_of=timezone.localdate())
        .order_by("uscc")
        .values_list("uscc", flat=True)[:2]
    )
    letter = DisclosureDocument(
        kind="commitment_letter",
        year=timezone.localdate().year,
        uscc=disclosed[0],
        employer_name="演示单位",
        district_id="150302",
        content_type="application/pdf",
        uploaded_by=users["haibowan"],
    )
    from weasyprint import HTML

    letter.file.save("letter.pdf", ContentFile(HTML(string="<p>参保承诺书</p>").write_pdf()), save=True)
    outreach_event = OutreachEvent.objects.create(
        kind="community_talk",
        title="社保知识进社区",
        place="和平社区",
        held_on=timezone.localdate(),
        district_id="150302",
        reach=30,
        recorded_by=users["fenghuangling"],
    )
    event_photo = OutreachEventPhoto(event=outreach_event)
    event_photo.photo.save("event.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 64), save=True)

    # An SMS campaign of the caseworker's district, sent (its page, log and samples are walked).
    from django.test import override_settings

    from enforcement.kinds import KINDS
    from outreach.models import SmsCampaign
    from outreach.sms import services as sms_services

    campaign = sms_services.campaign_create(
        actor=users["haibowan"],
        kinds=[code for code, spec in KINDS.items() if spec.subject == "person"],
        statuses=list(sms_services.OPEN_STATUSES),
        template=sms_services.DEFAULT_TEMPLATE,
        deadline=deadline,
    )
    SmsCampaign.objects.filter(pk=campaign.pk).update(status="queued", sent_by=users["haibowan"])
    with override_settings(WUHAI_SMS_RATE_PER_SECOND=100_000, WUHAI_SMS_BACKOFF_MS=0):
        sms_services.campaign_send(campaign_id=campaign.pk)
    sms_services.opt_out_add(phone="13912345678", actor=users["haibowan"])

    for model in ROW_MODELS.values():
        if any(f.name == "id_number" for f in model._meta.fields):
            known |= set(model.objects.values_list("id_number", flat=True))
    known |= set(Task.objects.filter(subject_type="person").values_list("subject_key", flat=True))
    not_personal = set(Employer.objects.values_list("uscc", flat=True))
    not_personal |= set(Task.objects.exclude(subject_type="person").values_list("subject_key", flat=True))

    # An enforcement case from an escalated employer task: a violation, a finding, evidence, an order.
    from decimal import Decimal

    from enforcement.cases import services as case_services

    employer_task = Task.objects.filter(subject_type="employer", status="open").order_by("pk").first()
    case = task_services.task_escalate(task=employer_task, actor=users["haibowan"], note="移交")
    case_services.case_record_violation(
        case=case, actor=users["inspector"], kind="not_enrolled", description="未参保"
    )
    case_services.case_record_finding(
        case=case,
        actor=users["inspector"],
        source="audit",
        period=timezone.localdate().replace(day=1),
        verified_headcount=5,
        verified_monthly_base=Decimal("20000"),
    )
    attachment = case_services.case_add_attachment(
        case=case,
        actor=users["inspector"],
        upload=SimpleUploadedFile("e.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32),
    )
    document = case_services.case_issue_order(case=case, actor=users["inspector"])

    tasks = []
    for kind in Task.objects.values_list("kind", flat=True).distinct():
        tasks += list(Task.objects.filter(kind=kind).order_by("pk").values_list("pk", flat=True)[:1])
    tasks += [t.pk for t in person_tasks[:3]]
    tasks += list(Task.objects.filter(notices__isnull=False).values_list("pk", flat=True))
    persons = list(Person.objects.filter(street_id=STREET).values_list("pk", flat=True)[:3])
    persons += list(Person.objects.order_by("pk").values_list("pk", flat=True)[:3])
    from assessment import parameters
    from wuhai_coverage.core.models import District

    blacklist_entries, blacklist_deliveries = _blacklist_entries(users)
    fills = {
        "blacklist/manage": [{"pk": pk, "step": "statement"} for pk in blacklist_entries],
        "api/v1/blacklist": [{"pk": pk} for pk in blacklist_entries],
        "api/v1/blacklist/deliveries": [{"pk": pk} for pk in blacklist_deliveries],
        "tasks": [{"pk": pk, "field": "id_number"} for pk in sorted(set(tasks))],
        "api/v1/tasks": [{"pk": pk} for pk in sorted(set(tasks))],
        "persons": [{"pk": pk, "field": "id_number"} for pk in sorted(set(persons))],
        "employers": [
            {"uscc": u} for u in Employer.objects.order_by("uscc").values_list("uscc", flat=True)[:3]
        ],
        "rosters": [{"pk": pk} for pk in RosterBatch.objects.values_list("pk", flat=True)],
        "api/v1/rosters": [{"pk": pk} for pk in RosterBatch.objects.values_list("pk", flat=True)],
        "notices": [{"pk": pk} for pk in Notice.objects.values_list("pk", flat=True)],
        "comparison-runs": [{"pk": pk} for pk in ComparisonRun.objects.values_list("pk", flat=True)],
        "api/v1/comparison-runs": [{"pk": pk} for pk in ComparisonRun.objects.values_list("pk", flat=True)],
        "cases": [{"pk": case.pk}],
        "api/v1/cases": [{"pk": case.pk}],
        "cases/attachments": [{"pk": attachment.pk}],
        "cases/documents": [{"pk": document.pk}],
        "outreach/postings": [{"pk": pk} for pk in PublicityPosting.objects.values_list("pk", flat=True)[:3]],
        "disclosure": [{"uscc": u} for u in disclosed],
        "outreach/disclosure": [{"pk": letter.pk}],
        "outreach/events": [{"pk": outreach_event.pk}],
        "outreach/events/photos": [{"pk": event_photo.pk}],
        "outreach/sms": [{"pk": campaign.pk}],
        "assessment/districts": [
            {"code": d, "indicator": ind}
            for d in District.objects.values_list("code", flat=True)
            for ind in parameters.BY_CODE
        ],
    }
    return World(users=users, fills=fills, known_ids=known, not_personal=not_personal)


def _blacklist_entries(users) -> tuple[list[int], list[int]]:
    """A blacklist entry notified (with its real PDF) and one listed, from demo employers'
    cases: their pages and API answers are walked too."""
    from enforcement.blacklist import services as bl
    from enforcement.models import EnforcementCase
    from enrollment.models import Employer

    entries = []
    for employer in Employer.objects.order_by("uscc")[:2]:
        case = EnforcementCase.objects.create(
            case_type="unenrolled",
            status="unrectified",
            employer_uscc=employer.uscc,
            employer_name=employer.name,
            district_id=employer.district_id,
            opened_by=users["inspector"],
            order_deadline=timezone.localdate() - dt.timedelta(days=1),
        )
        entry = bl.blacklist_propose(case=case, actor=users["inspector"], legal_representative="赵强")
        entries.append(bl.blacklist_notify(entry=entry, actor=users["inspector"]))
    listed = bl.blacklist_record_statement(entry=entries[-1], actor=users["inspector"], statement="申辩")
    listed = bl.blacklist_approve(entry=listed, actor=users["manager"], decision="列入", measures=["bidding"])
    return [e.pk for e in entries], list(listed.deliveries.values_list("pk", flat=True)[:2])


# --- Every GET URL of the URLconf, with its parameters filled ----------------------------

# Query strings worth walking on some pages (beyond the bare URL).
QUERIES = {
    "tasks/": ["status=all", "status=all&sort=subject_name&page=2"],
    "api/v1/tasks/": ["status=all&page_size=1000"],
    "persons/": ["page=2"],
    "assessment/districts/<str:code>/<str:indicator>/": ["subset=gap", "subset=numerator"],
}
# Regex routes (a RoutePattern is filled by its parameters' names) → the paths walked.
REGEX_ROUTES = {
    "admin/^(?P<app_label>auth|axes|core)/$": ["/admin/core/", "/admin/auth/", "/admin/axes/"],
    "admin/(?P<url>.*)$": [],  # the admin's catch-all: a redirect or a 404
}
# URLs not walked, each with its reason.
NOT_WALKED = {
    "accounts/logout/": "ends the session the walk runs in",
    "i18n/setlang/": "POST only, changes the language",
    "accounts/tokens/<int:pk>/revoke/": "POST only, revokes an API key",
    "accounts/my-tokens/<int:pk>/revoke/": "POST only, a partner revokes its own API key",
    "accounts/lockouts/<int:pk>/unlock/": "POST only, lifts a login lock",
}


def _routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _fill(route: str, world: World) -> list[str] | None:
    """Concrete paths for a route; None when nothing in the world fills its parameters."""
    names = [m.group(2) for m in _PARAM.finditer(route)]
    if not names:
        return ["/" + route]
    if route.startswith("admin/"):
        m = re.match(r"admin/(\w+)/(\w+)/<path:object_id>/", route)
        if not m:
            return []  # admin:view_on_site (a redirect to the object's page) and the like
        model = apps.get_model(m.group(1), m.group(2))
        objects = model._default_manager.order_by("pk").values_list("pk", flat=True)[:3]
        return ["/" + _PARAM.sub(str(pk), route) for pk in objects]  # none when the model has no rows
    else:
        static = route.split("<", 1)[0].rstrip("/")
        candidates = next(
            (
                v
                for k, v in sorted(world.fills.items(), key=lambda kv: -len(kv[0]))
                if static == k or static.startswith(k + "/")
            ),
            None,
        )
        if candidates is None:
            return None
    paths = []
    for values in candidates:
        if all(n in values for n in names):
            paths.append("/" + _PARAM.sub(lambda m, v=values: str(v[m.group(2)]), route))
    return paths or None


def walked_urls(world: World) -> tuple[list[str], list[str]]:
    urls, unfilled = [], []
    for route, pattern in _routes(get_resolver().url_patterns):
        if not isinstance(pattern.pattern, RoutePattern):
            if route in REGEX_ROUTES:
                urls += REGEX_ROUTES[route]
            else:
                unfilled.append(route)  # a regex route: list its paths in REGEX_ROUTES
            continue
        if route in NOT_WALKED:
            continue
        paths = _fill(route, world)
        if paths is None:
            unfilled.append(route)
            continue
        for path in paths:
            urls.append(path)
            urls += [f"{path}?{q}" for q in QUERIES.get(route, [])]
    return urls, unfilled


def test_every_page_api_answer_and_export_is_masked_for_every_role(client, world):
    from wuhai_coverage.core.models import AccessLog

    urls, unfilled = walked_urls(world)
    assert not unfilled, f"URLs the privacy walk cannot fill (add them to the world's fills): {unfilled}"
    assert len(urls) > 100
    problems, statuses, took = [], {}, {}
    for username in ROLES:
        client.force_login(world.users[username])
        for url in urls:
            started = time.perf_counter()
            response = client.get(url)
            took[url] = took.get(url, 0) + time.perf_counter() - started
            statuses[(username, url)] = response.status_code
            if response.status_code >= 500:
                problems.append(f"{username} GET {url}: {response.status_code}")
                continue
            found = leaks(answer_text(response), known_ids=world.known_ids, not_personal=world.not_personal)
            if found:
                problems.append(f"{username} GET {url}: {len(found)} × {found[0]}")
            if response.status_code == 200 and not url.startswith(
                ("/static/", "/api/v1/docs", "/api/v1/redoc")
            ):
                if "no-store" not in response.get("Cache-Control", ""):
                    problems.append(f"{username} GET {url}: no Cache-Control: no-store")
        client.logout()
    print(
        f"walked {len(urls)} URLs × {len(ROLES)} roles; slowest:",
        sorted(took.items(), key=lambda kv: -kv[1])[:8],
    )
    assert not problems, "\n".join(problems[:50])
    # The walk reached the personal pages (not a sea of 403s) …
    for username, url in (
        ("manager", "/persons/"),
        ("haibowan", "/tasks/?status=all"),
        ("fenghuangling", "/tasks/street/"),
        ("inspector", "/api/v1/tasks/?status=all&page_size=1000"),
        ("manager", "/tasks/export.xlsx"),
        ("manager", "/assessment/export.xlsx"),
    ):
        assert statuses[(username, url)] == 200, (username, url)
    assert any(statuses[("manager", u)] == 200 for u in urls if u.startswith("/notices/"))
    assert any(statuses[("manager", u)] == 200 for u in urls if u.endswith("errors.xlsx"))
    # … and plain GETs never reveal anything.
    assert not AccessLog.objects.exists()
