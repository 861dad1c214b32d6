"""The role × URL table: EVERY URL pattern of every URLconf (enumerated from the resolver,
API, i18n and docs included; the admin site as one row) has a row, and each row says what
each kind of caller gets — GET and the POSTs that change something.

Columns: anonymous, city manager, district caseworker (海勃湾区 150302), a caseworker of
another district (乌达区 150304), street staff (凤凰岭街道 150302001), street staff of
ANOTHER street of the same district (150302002), inspector, a partner signed in with a
session, and a partner calling with its API token. The objects all sit in 150302001.

A refused request (400/401/403/404/405, or a page that sends the caller to the login page)
must change nothing: the row counts of every table of the portal and the state of every
task are compared before and after. A task action that succeeds must leave an event on
the task's timeline. A test fails when a URL pattern has no row (add one
with the codes the new page must answer) or a row names a pattern that is gone."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from enforcement import services
from enforcement.cases import services as case_services
from enforcement.models import ComparisonRun, Task, TaskEvent
from enrollment.models import Employer, Person, RosterBatch
from outreach.models import DisclosureDocument, OutreachEvent, OutreachEventPhoto, PublicityPosting
from tests.enrollment.factories import roster_csv, valid_row
from tests.factories import (
    OpenTaskFactory,
    PersonTaskFactory,
    load_snapshot,
    make_id_number,
    make_uscc,
    make_user,
)
from wuhai_coverage.core.models import ApiToken, Community
from wuhai_coverage.core.services import api_token_issue

pytestmark = pytest.mark.django_db

COLUMNS = (
    "anonymous",
    "city_manager",
    "caseworker",
    "other_caseworker",
    "street_staff",
    "other_street_staff",
    "inspector",
    "partner_session",
    "partner_token",
)
PORTAL_APPS = ("core", "demodata", "outbox", "enrollment", "enforcement", "outreach", "assessment")
ADMIN = "admin/"


def url_patterns(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    """Every pattern of every URLconf, as the route string from the root ('tasks/<int:pk>/');
    the admin site counts as the one row 'admin/'."""
    out = []
    for p in (resolver or get_resolver()).url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            out.extend([ADMIN] if route == ADMIN else url_patterns(p, route))
        else:
            out.append(route)
    return out


@dataclass(frozen=True)
class Row:
    pattern: str
    method: str
    url: str  # formatted with the world's objects
    expected: tuple[int, ...]  # one code per column, in COLUMNS order
    data: dict = field(default_factory=dict, hash=False, compare=False)
    api_json: bool = False

    @property
    def id(self) -> str:
        return f"{self.method} {self.url}"

    @property
    def leaves_an_event(self) -> bool:
        """A task action that succeeds writes the task's timeline."""
        return self.method == "POST" and bool(TASK_ACTION.fullmatch(self.url))


TASK_ACTION = re.compile(
    r"/(api/v1/)?tasks/\{task\}/(assign|contact|notice|rectify|dismiss|escalate|note|visit)/"
)


def D(**kw):  # noqa: N802 — short for the data of a row
    return kw


TODAY = "{today}"
#    pattern, method, url, (anon, mgr, cw, other_cw, street, other_street, insp, partner, partner_token), data
TABLE: list[Row] = [
    # --- core ---
    Row(
        "", "GET", "/", (200, 302, 302, 302, 302, 302, 302, 302, 200)
    ),  # public front page, or the role's home (a partner's too)
    Row("accounts/login/", "GET", "/accounts/login/", (200,) * 9),
    Row("accounts/login/", "POST", "/accounts/login/", (200,) * 9, D(username="nobody", password="wrong")),
    Row("accounts/logout/", "POST", "/accounts/logout/", (302,) * 9),
    Row("accounts/logout/", "GET", "/accounts/logout/", (405,) * 9),
    Row("accounts/tokens/", "GET", "/accounts/tokens/", (302, 200, 403, 403, 403, 403, 403, 403, 302)),
    Row(
        "accounts/tokens/<int:pk>/revoke/",
        "POST",
        "/accounts/tokens/{api_token}/revoke/",
        (302, 302, 403, 403, 403, 403, 403, 403, 302),
    ),
    Row(
        "accounts/tokens/<int:pk>/revoke/",
        "GET",
        "/accounts/tokens/{api_token}/revoke/",
        (302, 405, 405, 405, 405, 405, 405, 403, 302),
    ),
    Row("accounts/lockouts/", "GET", "/accounts/lockouts/", (302, 200, 403, 403, 403, 403, 403, 403, 302)),
    Row(
        "accounts/lockouts/<int:pk>/unlock/",
        "POST",
        "/accounts/lockouts/{lockout}/unlock/",
        (302, 302, 403, 403, 403, 403, 403, 403, 302),
    ),
    Row("healthz/", "GET", "/healthz/", (200,) * 9),
    # Each role's home; street staff go on to their street's list.
    Row("dashboard/", "GET", "/dashboard/", (302, 200, 200, 200, 302, 302, 200, 200, 302)),
    Row("favicon.ico", "GET", "/favicon.ico", (301,) * 9),
    # A partner's own API keys, from its home.
    Row(
        "accounts/my-tokens/issue/",
        "POST",
        "/accounts/my-tokens/issue/",
        (302, 403, 403, 403, 403, 403, 403, 200, 302),
    ),
    Row(
        "accounts/my-tokens/issue/",
        "GET",
        "/accounts/my-tokens/issue/",
        (302, 405, 405, 405, 405, 405, 405, 405, 302),
    ),
    Row(
        "accounts/my-tokens/<int:pk>/revoke/",
        "POST",
        "/accounts/my-tokens/{api_token}/revoke/",
        (302, 403, 403, 403, 403, 403, 403, 404, 302),
    ),  # the manager's key: not the partner's, so it does not exist for it
    # --- rosters (bureau staff with VIEW_ROSTERS; partners through the API) ---
    Row("rosters/", "GET", "/rosters/", (302, 200, 200, 200, 403, 403, 403, 403, 302)),
    Row("rosters/calendar/", "GET", "/rosters/calendar/", (302, 200, 200, 200, 403, 403, 403, 403, 302)),
    # A batch page: bureau staff, and the partner whose department pushed it (from its home).
    Row("rosters/<int:pk>/", "GET", "/rosters/{batch}/", (302, 200, 200, 200, 403, 403, 403, 200, 302)),
    Row(
        "rosters/<int:pk>/errors.xlsx",
        "GET",
        "/rosters/{batch}/errors.xlsx",
        (302, 200, 200, 200, 403, 403, 403, 200, 302),
    ),
    # --- the registry ---
    Row("employers/", "GET", "/employers/", (302, 200, 200, 200, 200, 200, 200, 403, 302)),
    Row(
        "employers/<str:uscc>/",
        "GET",
        "/employers/{employer}/",
        (302, 200, 200, 404, 200, 404, 200, 403, 302),
    ),
    Row("persons/", "GET", "/persons/", (302, 200, 200, 200, 200, 200, 200, 403, 302)),
    Row("persons/", "POST", "/persons/", (302, 302, 302, 302, 302, 302, 302, 403, 302), D(q="陈静")),
    Row("persons/<int:pk>/", "GET", "/persons/{person}/", (302, 200, 200, 404, 200, 404, 200, 403, 302)),
    Row(
        "persons/<int:pk>/tasks/",
        "GET",
        "/persons/{person}/tasks/",
        (302, 302, 302, 404, 302, 404, 302, 403, 302),
    ),
    Row(
        "persons/<int:pk>/reveal/<str:field>/",
        "POST",
        "/persons/{person}/reveal/id_number/",
        (302, 200, 200, 404, 200, 404, 200, 403, 302),
    ),
    Row(
        "persons/<int:pk>/reveal/<str:field>/",
        "GET",
        "/persons/{person}/reveal/id_number/",
        (302, 405, 405, 405, 405, 405, 405, 403, 302),
    ),
    # --- comparison runs ---
    Row("comparison-runs/", "GET", "/comparison-runs/", (302, 200, 200, 200, 200, 200, 200, 403, 302)),
    Row(
        "comparison-runs/start/",
        "POST",
        "/comparison-runs/start/",
        (302, 302, 403, 403, 403, 403, 403, 403, 302),
        D(as_of=TODAY),
    ),
    Row(
        "comparison-runs/parameters/",
        "GET",
        "/comparison-runs/parameters/",
        (302, 200, 403, 403, 403, 403, 403, 403, 302),
    ),
    Row(
        "comparison-runs/parameters/",
        "POST",
        "/comparison-runs/parameters/",
        (302, 200, 403, 403, 403, 403, 403, 403, 302),
        D(nonsense="1"),
    ),
    Row(
        "enforcement/calendar/",
        "GET",
        "/enforcement/calendar/",
        (302, 200, 403, 403, 403, 403, 403, 403, 302),
    ),
    Row(
        "enforcement/calendar/",
        "POST",
        "/enforcement/calendar/",
        (302, 200, 403, 403, 403, 403, 403, 403, 302),
        D(nonsense="1"),
    ),
    Row(
        "enforcement/calendar/delete/",
        "POST",
        "/enforcement/calendar/delete/",
        (302, 302, 403, 403, 403, 403, 403, 403, 302),
        D(day=TODAY),
    ),
    Row(
        "enforcement/calendar/delete/",
        "GET",
        "/enforcement/calendar/delete/",
        (302, 405, 405, 405, 405, 405, 405, 403, 302),
    ),
    Row(
        "comparison-runs/<int:pk>/",
        "GET",
        "/comparison-runs/{run}/",
        (302, 200, 200, 200, 200, 200, 200, 403, 302),
    ),
    # --- the caseworker's portal ---
    Row("tasks/", "GET", "/tasks/", (302, 200, 200, 200, 200, 200, 200, 403, 302)),
    Row("tasks/", "GET", "/tasks/?kind=nope", (302, 400, 400, 400, 400, 400, 400, 403, 302)),
    Row(
        "tasks/", "POST", "/tasks/", (302, 302, 302, 302, 302, 302, 302, 403, 302), D(q="陈静", status="all")
    ),
    Row("tasks/export.xlsx", "GET", "/tasks/export.xlsx", (302, 200, 200, 200, 200, 200, 200, 403, 302)),
    Row(
        "tasks/bulk-assign/",
        "POST",
        "/tasks/bulk-assign/",
        (302, 302, 302, 302, 403, 403, 403, 403, 302),
        D(assignee="{street_staff}", task=["{task}"]),
    ),
    Row("tasks/bulk-assign/", "GET", "/tasks/bulk-assign/", (302, 405, 405, 405, 405, 405, 405, 403, 302)),
    Row("tasks/street/", "GET", "/tasks/street/", (302, 200, 200, 200, 200, 200, 403, 403, 302)),
    Row("tasks/<int:pk>/", "GET", "/tasks/{task}/", (302, 200, 200, 404, 200, 404, 200, 403, 302)),
    Row(
        "tasks/<int:pk>/visit/", "GET", "/tasks/{task}/visit/", (302, 200, 200, 404, 200, 404, 403, 403, 302)
    ),
    Row(
        "tasks/<int:pk>/visit/",
        "POST",
        "/tasks/{task}/visit/",
        (302, 302, 302, 404, 302, 404, 403, 403, 302),
        D(channel="visit", outcome="reached"),
    ),
    Row(
        "tasks/<int:pk>/call/",
        "POST",
        "/tasks/{task}/call/",
        (302, 200, 200, 404, 200, 404, 200, 403, 302),
    ),
    Row("tasks/<int:pk>/call/", "GET", "/tasks/{task}/call/", (302, 405, 405, 405, 405, 405, 405, 403, 302)),
    Row(
        "tasks/street/", "POST", "/tasks/street/", (302, 302, 302, 302, 302, 302, 403, 403, 302), D(q="煤业")
    ),
    Row(
        "tasks/<int:pk>/assign/",
        "POST",
        "/tasks/{task}/assign/",
        (302, 302, 302, 404, 403, 404, 403, 403, 302),
        D(assignee="{street_staff}"),
    ),
    Row(
        "tasks/<int:pk>/contact/",
        "POST",
        "/tasks/{task}/contact/",
        (302, 302, 302, 404, 302, 404, 403, 403, 302),
        D(channel="phone", outcome="reached", note="ok"),
    ),
    Row(
        "tasks/<int:pk>/notice/",
        "POST",
        "/tasks/{task}/notice/",
        (302, 302, 302, 404, 403, 404, 403, 403, 302),
        D(kind="enrollment", deadline="{deadline}"),
    ),
    Row(
        "tasks/<int:pk>/rectify/",
        "POST",
        "/tasks/{task}/rectify/",
        (302, 302, 302, 404, 302, 404, 403, 403, 302),
        D(what_changed="已参保"),
    ),
    Row(
        "tasks/<int:pk>/dismiss/",
        "POST",
        "/tasks/{task}/dismiss/",
        (302, 302, 302, 404, 403, 404, 403, 403, 302),
        D(reason_code="other", note="查无此人", confirm="1"),
    ),
    Row(
        "tasks/<int:pk>/escalate/",
        "POST",
        "/tasks/{task}/escalate/",
        (302, 302, 302, 404, 403, 404, 403, 403, 302),
        D(note="x", confirm="1"),
    ),
    Row(
        "tasks/<int:pk>/note/",
        "POST",
        "/tasks/{task}/note/",
        (302, 302, 302, 404, 302, 404, 403, 403, 302),
        D(note="x"),
    ),
    Row("tasks/<int:pk>/note/", "GET", "/tasks/{task}/note/", (302, 405, 405, 405, 405, 405, 405, 403, 302)),
    Row(
        "tasks/<int:pk>/reveal/<str:field>/",
        "POST",
        "/tasks/{person_task}/reveal/id_number/",
        (302, 200, 200, 404, 200, 404, 200, 403, 302),
    ),
    Row(
        "notices/<int:pk>.pdf", "GET", "/notices/{notice}.pdf", (302, 200, 200, 404, 200, 404, 200, 403, 302)
    ),
    # --- enforcement cases (inspectors manage; district caseworkers read their district's) ---
    Row("cases/", "GET", "/cases/", (302, 200, 200, 200, 403, 403, 200, 403, 302)),
    Row("cases/", "GET", "/cases/?view=nope", (302, 400, 400, 400, 403, 403, 400, 403, 302)),
    Row("cases/new/", "GET", "/cases/new/", (302, 403, 403, 403, 403, 403, 200, 403, 302)),
    Row(
        "cases/new/",
        "POST",
        "/cases/new/",
        (302, 403, 403, 403, 403, 403, 302, 403, 302),
        D(uscc="{employer}", case_type="unenrolled"),
    ),
    Row("cases/<int:pk>/", "GET", "/cases/{case}/", (302, 200, 200, 404, 403, 403, 200, 403, 302)),
    Row("cases/<int:pk>/take/", "POST", "/cases/{case}/take/", (302, 403, 403, 404, 403, 403, 302, 403, 302)),
    Row(
        "cases/<int:pk>/violations/",
        "POST",
        "/cases/{case}/violations/",
        (302, 403, 403, 404, 403, 403, 302, 403, 302),
        D(kind="arrears", description="欠费"),
    ),
    Row(
        "cases/<int:pk>/violations/revoke/",
        "POST",
        "/cases/{case}/violations/revoke/",
        (302, 403, 403, 404, 403, 403, 302, 403, 302),
        D(violation="{case_violation}", reason="x"),
    ),
    Row(
        "cases/<int:pk>/findings/",
        "POST",
        "/cases/{case}/findings/",
        (302, 403, 403, 404, 403, 403, 302, 403, 302),
        D(source="audit", period="2026-05", verified_headcount="3", verified_monthly_base="9000"),
    ),
    Row(
        "cases/<int:pk>/attachments/",
        "POST",
        "/cases/{case}/attachments/",
        (302, 403, 403, 404, 403, 403, 400, 403, 302),  # no file sent: the inspector's form error
        D(description="x"),
    ),
    Row(
        "cases/<int:pk>/order/",
        "POST",
        "/cases/{case}/order/",
        (302, 403, 403, 404, 403, 403, 302, 403, 302),
        D(working_days="10"),
    ),
    Row(
        "cases/<int:pk>/penalty-notice/",
        "POST",
        "/cases/{case}/penalty-notice/",
        (302, 403, 403, 404, 403, 403, 302, 403, 302),
        D(),
    ),
    Row(
        "cases/<int:pk>/rectified/",
        "POST",
        "/cases/{case}/rectified/",
        (302, 403, 403, 404, 403, 403, 302, 403, 302),
        D(what_changed="已参保"),
    ),
    Row(
        "cases/<int:pk>/outcome/",
        "POST",
        "/cases/{case}/outcome/",
        (302, 403, 403, 404, 403, 403, 302, 403, 302),
        D(outcome="paid", note="x"),
    ),
    Row(
        "cases/<int:pk>/note/",
        "POST",
        "/cases/{case}/note/",
        (302, 403, 403, 404, 403, 403, 302, 403, 302),
        D(note="x"),
    ),
    Row("cases/<int:pk>/note/", "GET", "/cases/{case}/note/", (302, 405, 405, 405, 405, 405, 405, 403, 302)),
    Row(
        "cases/<int:pk>/arrears/periods/",
        "POST",
        "/cases/{case}/arrears/periods/",
        (302, 403, 403, 404, 403, 403, 302, 403, 302),
        D(period="202604", owed="1000.00"),
    ),
    Row(
        "cases/<int:pk>/arrears/payments/",
        "POST",
        "/cases/{case}/arrears/payments/",
        (302, 403, 403, 404, 403, 403, 302, 403, 302),
        D(paid_on="{yesterday}", amount="100.00"),
    ),
    Row(
        "cases/<int:pk>/arrears/fine/",
        "POST",
        "/cases/{case}/arrears/fine/",
        (302, 403, 403, 404, 403, 403, 302, 403, 302),
        D(amount="100.00", reason="x"),
    ),
    Row(
        "cases/<int:pk>/arrears.xlsx",
        "GET",
        "/cases/{case}/arrears.xlsx",
        (302, 200, 200, 404, 403, 403, 200, 403, 302),
    ),
    Row(
        "cases/attachments/<int:pk>/",
        "GET",
        "/cases/attachments/{case_attachment}/",
        (302, 200, 200, 404, 403, 403, 200, 403, 302),
    ),
    Row(
        "cases/documents/<int:pk>.pdf",
        "GET",
        "/cases/documents/{case_document}.pdf",
        (302, 200, 200, 404, 403, 403, 200, 403, 302),
    ),
    # --- outreach ---
    Row("outreach/postings/", "GET", "/outreach/postings/", (302, 200, 200, 200, 200, 200, 403, 403, 302)),
    Row(
        "outreach/postings/new/",
        "GET",
        "/outreach/postings/new/",
        (302, 200, 200, 200, 200, 200, 403, 403, 302),
    ),
    Row(
        "outreach/postings/new/",
        "POST",
        "/outreach/postings/new/",
        (302, 302, 302, 400, 302, 400, 403, 403, 302),
        D(community="{community}", posted_on="{yesterday}"),
    ),
    Row(
        "outreach/postings/<int:pk>/photo/",
        "GET",
        "/outreach/postings/{posting}/photo/",
        (302, 200, 200, 404, 200, 404, 403, 403, 302),
    ),
    # --- employer disclosure: public table and certificate; staff documents ---
    Row("disclosure/", "GET", "/disclosure/", (200,) * 9),
    Row("disclosure/<str:uscc>.pdf", "GET", "/disclosure/{employer}.pdf", (200,) * 9),
    Row(
        "outreach/disclosure/",
        "GET",
        "/outreach/disclosure/",
        (302, 200, 200, 200, 403, 403, 403, 403, 302),
    ),
    Row(
        "outreach/disclosure/new/",
        "GET",
        "/outreach/disclosure/new/",
        (302, 200, 200, 200, 403, 403, 403, 403, 302),
    ),
    Row(
        "outreach/disclosure/new/",
        "POST",
        "/outreach/disclosure/new/",
        (302, 400, 400, 400, 403, 403, 403, 403, 302),
        D(uscc="{employer}", kind="commitment_letter", year="{year}"),  # no file: refused
    ),
    Row(
        "outreach/disclosure/<int:pk>/document/",
        "GET",
        "/outreach/disclosure/{disclosure_document}/document/",
        (302, 200, 200, 404, 403, 403, 403, 403, 302),
    ),
    # --- outreach events ---
    Row("outreach/events/", "GET", "/outreach/events/", (302, 200, 200, 200, 200, 200, 403, 403, 302)),
    Row(
        "outreach/events/new/",
        "GET",
        "/outreach/events/new/",
        (302, 200, 200, 200, 200, 200, 403, 403, 302),
    ),
    Row(
        "outreach/events/new/",
        "POST",
        "/outreach/events/new/",
        (302, 302, 302, 400, 302, 302, 403, 403, 302),
        D(
            kind="community_talk",
            title="社保知识进社区",
            place="和平社区",
            held_on="{yesterday}",
            district="150302",
            reach="30",
        ),
    ),
    Row(
        "outreach/events/<int:pk>/",
        "GET",
        "/outreach/events/{event}/",
        (302, 200, 200, 404, 200, 200, 403, 403, 302),
    ),
    Row(
        "outreach/events/photos/<int:pk>/",
        "GET",
        "/outreach/events/photos/{event_photo}/",
        (302, 200, 200, 404, 200, 200, 403, 403, 302),
    ),
    # --- outreach: the public pension estimator and its parameters (city managers) ---
    Row("calculator/", "GET", "/calculator/", (200,) * 9),
    Row(
        "calculator/",
        "GET",
        "/calculator/?scheme=residents&birth=1966-05&tier=300&years=15",
        (200,) * 9,
    ),
    Row("calculator/", "POST", "/calculator/", (405,) * 9),
    Row(
        "calculator/parameters/",
        "GET",
        "/calculator/parameters/",
        (302, 200, 403, 403, 403, 403, 403, 403, 302),
    ),
    Row(
        "calculator/parameters/",
        "POST",
        "/calculator/parameters/",
        (302, 302, 403, 403, 403, 403, 403, 403, 302),
        D(name="calc_base", from_year="2025", value="8200", reason="自治区通知"),
    ),
    # --- outreach: SMS pushes (send_sms: city managers city-wide, caseworkers their district) ---
    Row("outreach/sms/", "GET", "/outreach/sms/", (302, 200, 200, 200, 403, 403, 403, 403, 302)),
    Row("outreach/sms/new/", "GET", "/outreach/sms/new/", (302, 200, 200, 200, 403, 403, 403, 403, 302)),
    Row(
        "outreach/sms/new/",
        "POST",
        "/outreach/sms/new/",
        (302, 302, 302, 302, 403, 403, 403, 403, 302),
        D(kinds=["enroll_person"], statuses=["open"], template="{姓氏}您好", deadline="{deadline}"),
    ),
    Row(
        "outreach/sms/opt-outs/",
        "GET",
        "/outreach/sms/opt-outs/",
        (302, 200, 200, 200, 403, 403, 403, 403, 302),
    ),
    Row(
        "outreach/sms/opt-outs/",
        "POST",
        "/outreach/sms/opt-outs/",
        (302, 302, 302, 302, 403, 403, 403, 403, 302),
        D(phone="13912345678"),
    ),
    Row(
        "outreach/sms/<int:pk>/",
        "GET",
        "/outreach/sms/{sms_campaign}/",
        (302, 200, 200, 404, 403, 403, 403, 403, 302),
    ),
    Row(
        "outreach/sms/<int:pk>/send/",
        "POST",
        "/outreach/sms/{sms_campaign}/send/",
        (302, 302, 302, 404, 403, 403, 403, 403, 302),
    ),
    # --- assessment ---
    Row("assessment/", "GET", "/assessment/", (302, 200, 200, 200, 403, 403, 403, 403, 302)),
    Row(
        "assessment/export.xlsx",
        "GET",
        "/assessment/export.xlsx",
        (302, 200, 200, 200, 403, 403, 403, 403, 302),
    ),
    Row(
        "assessment/settings/", "GET", "/assessment/settings/", (302, 200, 200, 200, 403, 403, 403, 403, 302)
    ),
    Row(
        "assessment/settings/",
        "POST",
        "/assessment/settings/",
        (302, 400, 403, 403, 403, 403, 403, 403, 302),
        D(nonsense="1"),
    ),
    Row(
        "assessment/districts/<str:code>/",
        "GET",
        "/assessment/districts/150302/",
        (302, 200, 200, 200, 403, 403, 403, 403, 302),
    ),
    Row(
        "assessment/districts/<str:code>/<str:indicator>/",
        "GET",
        "/assessment/districts/150302/employer_coverage/",
        (302, 200, 200, 404, 403, 403, 403, 403, 302),
    ),
    # --- the credit blacklist: public list and exports, managers' pages ---
    Row("blacklist/", "GET", "/blacklist/", (200,) * 9),
    Row("blacklist/export.csv", "GET", "/blacklist/export.csv", (200,) * 9),
    Row("blacklist/export.xlsx", "GET", "/blacklist/export.xlsx", (200,) * 9),
    Row("blacklist/manage/", "GET", "/blacklist/manage/", (302, 200, 200, 200, 403, 403, 200, 403, 302)),
    Row(
        "blacklist/manage/propose/",
        "POST",
        "/blacklist/manage/propose/",
        (302, 403, 403, 403, 403, 403, 302, 403, 302),
        D(case="{bl_case}", legal_representative="赵强"),
    ),
    Row(
        "blacklist/manage/<int:pk>/",
        "GET",
        "/blacklist/manage/{bl_notified}/",
        (302, 200, 200, 404, 403, 403, 200, 403, 302),  # a district's staff: its district's, read-only
    ),
    Row(
        "blacklist/manage/<int:pk>/notice.pdf",
        "GET",
        "/blacklist/manage/{bl_notified}/notice.pdf",
        (302, 200, 200, 404, 403, 403, 200, 403, 302),
    ),
    Row(
        "blacklist/manage/<int:pk>/<slug:step>/",
        "POST",
        "/blacklist/manage/{bl_notified}/statement/",
        (302, 302, 403, 404, 403, 403, 302, 403, 302),
        D(statement="单位已提交书面申辩"),
    ),
    # --- API ---
    Row("api/v1/me/", "GET", "/api/v1/me/", (401, 200, 200, 200, 200, 200, 200, 200, 200)),
    Row("api/v1/rosters/", "GET", "/api/v1/rosters/", (401, 200, 200, 200, 403, 403, 403, 200, 200)),
    Row(
        "api/v1/rosters/",
        "POST",
        "/api/v1/rosters/",
        (401, 403, 403, 403, 403, 403, 403, 201, 201),
        D(kind="market_entities", file="{roster_file}"),
    ),
    Row(
        "api/v1/rosters/<int:pk>/",
        "GET",
        "/api/v1/rosters/{batch}/",
        (401, 200, 200, 200, 403, 403, 403, 200, 200),
    ),
    Row(
        "api/v1/rosters/<int:pk>/errors/",
        "GET",
        "/api/v1/rosters/{batch}/errors/",
        (401, 200, 200, 200, 403, 403, 403, 200, 200),
    ),
    Row(
        "api/v1/comparison-runs/",
        "GET",
        "/api/v1/comparison-runs/",
        (401, 200, 200, 200, 200, 200, 200, 403, 403),
    ),
    Row(
        "api/v1/comparison-runs/",
        "POST",
        "/api/v1/comparison-runs/",
        (401, 201, 403, 403, 403, 403, 403, 403, 403),
        D(as_of=TODAY),
        api_json=True,
    ),
    Row(
        "api/v1/comparison-runs/<int:pk>/",
        "GET",
        "/api/v1/comparison-runs/{run}/",
        (401, 200, 200, 200, 200, 200, 200, 403, 403),
    ),
    Row("api/v1/tasks/", "GET", "/api/v1/tasks/", (401, 200, 200, 200, 200, 200, 200, 403, 403)),
    Row("api/v1/tasks/", "GET", "/api/v1/tasks/?status=nope", (401, 400, 400, 400, 400, 400, 400, 403, 403)),
    Row(
        "api/v1/tasks/<int:pk>/",
        "GET",
        "/api/v1/tasks/{task}/",
        (401, 200, 200, 404, 200, 404, 200, 403, 403),
    ),
    Row(
        "api/v1/tasks/<int:pk>/assign/",
        "POST",
        "/api/v1/tasks/{task}/assign/",
        (401, 200, 200, 404, 403, 403, 403, 403, 403),
        D(assignee="{street_staff_name}"),
        api_json=True,
    ),
    Row(
        "api/v1/tasks/<int:pk>/contact/",
        "POST",
        "/api/v1/tasks/{task}/contact/",
        (401, 200, 200, 404, 200, 404, 403, 403, 403),
        D(channel="phone", outcome="reached", note="ok"),
        api_json=True,
    ),
    Row(
        "api/v1/tasks/<int:pk>/notice/",
        "POST",
        "/api/v1/tasks/{task}/notice/",
        (401, 200, 200, 404, 403, 403, 403, 403, 403),
        D(kind="enrollment", deadline="{deadline}"),
        api_json=True,
    ),
    Row(
        "api/v1/tasks/<int:pk>/rectify/",
        "POST",
        "/api/v1/tasks/{task}/rectify/",
        (401, 200, 200, 404, 200, 404, 403, 403, 403),
        D(what_changed="已参保"),
        api_json=True,
    ),
    Row(
        "api/v1/tasks/<int:pk>/dismiss/",
        "POST",
        "/api/v1/tasks/{task}/dismiss/",
        (401, 200, 200, 404, 403, 403, 403, 403, 403),
        D(reason="查无此人"),
        api_json=True,
    ),
    Row(
        "api/v1/tasks/<int:pk>/escalate/",
        "POST",
        "/api/v1/tasks/{task}/escalate/",
        (401, 200, 200, 404, 403, 403, 403, 403, 403),
        D(note="x"),
        api_json=True,
    ),
    # The SMS provider's callback: a shared secret header, no user session or API key (401 without it).
    Row("api/v1/sms/receipts/", "POST", "/api/v1/sms/receipts/", (401,) * 9, D(replies=[]), api_json=True),
    Row("api/v1/cases/", "GET", "/api/v1/cases/", (401, 200, 200, 200, 403, 403, 200, 403, 403)),
    Row("api/v1/cases/", "GET", "/api/v1/cases/?view=nope", (401, 400, 400, 400, 403, 403, 400, 403, 403)),
    Row(
        "api/v1/cases/",
        "POST",
        "/api/v1/cases/",
        (401, 403, 403, 403, 403, 403, 201, 403, 403),
        D(uscc="{employer}", case_type="unenrolled"),
        api_json=True,
    ),
    Row(
        "api/v1/cases/<int:pk>/",
        "GET",
        "/api/v1/cases/{case}/",
        (401, 200, 200, 404, 403, 403, 200, 403, 403),
    ),
    Row(
        "api/v1/cases/<int:pk>/take/",
        "POST",
        "/api/v1/cases/{case}/take/",
        (401, 403, 403, 403, 403, 403, 409, 403, 403),
        D(),
        api_json=True,
    ),
    Row(
        "api/v1/cases/<int:pk>/violations/",
        "POST",
        "/api/v1/cases/{case}/violations/",
        (401, 403, 403, 403, 403, 403, 200, 403, 403),
        D(kind="arrears", description="欠费"),
        api_json=True,
    ),
    Row(
        "api/v1/cases/<int:pk>/findings/",
        "POST",
        "/api/v1/cases/{case}/findings/",
        (401, 403, 403, 403, 403, 403, 200, 403, 403),
        D(source="audit", period="2026-05-01", verified_headcount=3, verified_monthly_base="9000.00"),
        api_json=True,
    ),
    Row(
        "api/v1/cases/<int:pk>/order/",
        "POST",
        "/api/v1/cases/{case}/order/",
        (401, 403, 403, 403, 403, 403, 409, 403, 403),
        D(working_days=10),
        api_json=True,
    ),
    Row(
        "api/v1/cases/<int:pk>/penalty-notice/",
        "POST",
        "/api/v1/cases/{case}/penalty-notice/",
        (401, 403, 403, 403, 403, 403, 409, 403, 403),
        D(),
        api_json=True,
    ),
    Row(
        "api/v1/cases/<int:pk>/rectified/",
        "POST",
        "/api/v1/cases/{case}/rectified/",
        (401, 403, 403, 403, 403, 403, 200, 403, 403),
        D(what_changed="已参保"),
        api_json=True,
    ),
    Row(
        "api/v1/cases/<int:pk>/outcome/",
        "POST",
        "/api/v1/cases/{case}/outcome/",
        (401, 403, 403, 403, 403, 403, 409, 403, 403),
        D(outcome="paid"),
        api_json=True,
    ),
    Row(
        "api/v1/cases/<int:pk>/arrears/",
        "GET",
        "/api/v1/cases/{case}/arrears/",
        (401, 200, 200, 404, 403, 403, 200, 403, 403),
    ),
    Row(
        "api/v1/cases/<int:pk>/arrears/periods/",
        "POST",
        "/api/v1/cases/{case}/arrears/periods/",
        (401, 403, 403, 403, 403, 403, 200, 403, 403),
        D(period="202604", owed="1000.00"),
        api_json=True,
    ),
    Row(
        "api/v1/cases/<int:pk>/arrears/payments/",
        "POST",
        "/api/v1/cases/{case}/arrears/payments/",
        (401, 403, 403, 403, 403, 403, 200, 403, 403),
        D(paid_on="{yesterday}", amount="100.00"),
        api_json=True,
    ),
    Row(
        "api/v1/cases/<int:pk>/arrears/fine/",
        "POST",
        "/api/v1/cases/{case}/arrears/fine/",
        (401, 403, 403, 403, 403, 403, 409, 403, 403),  # nothing unpaid yet: 409
        D(amount="100.00", reason="x"),
        api_json=True,
    ),
    Row(
        "api/v1/cases/<int:pk>/attachments/",
        "POST",
        "/api/v1/cases/{case}/attachments/",
        (401, 403, 403, 403, 403, 403, 400, 403, 403),  # multipart without a file: 400
        D(description="x"),
    ),
    Row(
        "api/v1/assessment/districts/",
        "GET",
        "/api/v1/assessment/districts/?year={year}",
        (401, 200, 200, 200, 403, 403, 403, 403, 403),
    ),
    Row(
        "api/v1/calculator/",
        "GET",
        "/api/v1/calculator/?scheme=enterprise&birth=1970-03&category=male&years=30&indexes=1&balance=50000",
        (200,) * 9,
    ),
    Row("api/v1/calculator/", "GET", "/api/v1/calculator/?scheme=enterprise", (400,) * 9),
    # --- the blacklist API: partners read, inspectors and managers take the steps ---
    Row("api/v1/blacklist/", "GET", "/api/v1/blacklist/", (401, 200, 403, 403, 403, 403, 200, 200, 200)),
    Row(
        "api/v1/blacklist/",
        "GET",
        "/api/v1/blacklist/?updated_since=nope",
        (401, 400, 403, 403, 403, 403, 400, 400, 400),
    ),
    Row(
        "api/v1/blacklist/proposals/",
        "POST",
        "/api/v1/blacklist/proposals/",
        (401, 403, 403, 403, 403, 403, 201, 403, 403),
        D(case="{bl_case}", legal_representative="赵强"),
        api_json=True,
    ),
    Row(
        "api/v1/blacklist/deliveries/",
        "GET",
        "/api/v1/blacklist/deliveries/",
        (401, 200, 403, 403, 403, 403, 200, 200, 200),
    ),
    Row(
        "api/v1/blacklist/deliveries/<int:pk>/ack/",
        "POST",
        "/api/v1/blacklist/deliveries/{bl_delivery}/ack/",
        (401, 200, 403, 403, 403, 403, 200, 200, 200),
        api_json=True,
    ),
    Row(
        "api/v1/blacklist/<int:pk>/",
        "GET",
        "/api/v1/blacklist/{bl_notified}/",
        (401, 200, 200, 404, 403, 403, 200, 403, 403),
    ),
    Row(
        "api/v1/blacklist/<int:pk>/notify/",
        "POST",
        "/api/v1/blacklist/{bl_proposed}/notify/",
        (401, 403, 403, 403, 403, 403, 200, 403, 403),
        api_json=True,
    ),
    Row(
        "api/v1/blacklist/<int:pk>/statement/",
        "POST",
        "/api/v1/blacklist/{bl_notified}/statement/",
        (401, 200, 403, 403, 403, 403, 200, 403, 403),
        D(statement="单位已提交书面申辩"),
        api_json=True,
    ),
    Row(
        "api/v1/blacklist/<int:pk>/lapse/",
        "POST",
        "/api/v1/blacklist/{bl_notified}/lapse/",
        (401, 409, 403, 403, 403, 403, 409, 403, 403),
        api_json=True,
    ),
    Row(
        "api/v1/blacklist/<int:pk>/approve/",
        "POST",
        "/api/v1/blacklist/{bl_review}/approve/",
        (401, 200, 403, 403, 403, 403, 403, 403, 403),
        D(decision="经审核决定列入", measures=["bidding"]),
        api_json=True,
    ),
    Row(
        "api/v1/blacklist/<int:pk>/reject/",
        "POST",
        "/api/v1/blacklist/{bl_review}/reject/",
        (401, 200, 403, 403, 403, 403, 403, 403, 403),
        D(decision="不予列入"),
        api_json=True,
    ),
    Row(
        "api/v1/blacklist/<int:pk>/repair/",
        "POST",
        "/api/v1/blacklist/{bl_listed}/repair/",
        (401, 409, 403, 403, 403, 403, 409, 403, 403),
        D(application="已整改并补缴", rectified=True, paid=True),
        api_json=True,
    ),
    Row(
        "api/v1/blacklist/<int:pk>/repair-approve/",
        "POST",
        "/api/v1/blacklist/{bl_listed}/repair-approve/",
        (401, 409, 403, 403, 403, 403, 403, 403, 403),
        D(decision="同意"),
        api_json=True,
    ),
    Row(
        "api/v1/blacklist/<int:pk>/repair-reject/",
        "POST",
        "/api/v1/blacklist/{bl_listed}/repair-reject/",
        (401, 409, 403, 403, 403, 403, 403, 403, 403),
        D(decision="不同意"),
        api_json=True,
    ),
    Row("api/v1/schema/", "GET", "/api/v1/schema/", (200,) * 9),
    Row("api/v1/docs/", "GET", "/api/v1/docs/", (200,) * 9),
    # --- languages, admin ---
    Row("i18n/setlang/", "POST", "/i18n/setlang/", (302,) * 9, D(language="en", next="//evil.example/")),
    Row(ADMIN, "GET", "/admin/", (302, 302, 302, 302, 302, 302, 302, 403, 302)),
]


def test_every_url_pattern_has_a_row():
    patterns = set(url_patterns())
    rows = {row.pattern for row in TABLE}
    assert sorted(patterns - rows) == [], "URL patterns without a row in the table: add them"
    assert sorted(rows - patterns) == [], "rows for URL patterns that no longer exist"


def test_the_table_is_well_formed():
    for row in TABLE:
        assert len(row.expected) == len(COLUMNS), row.id
    assert len({(r.method, r.url) for r in TABLE}) == len(TABLE), "one row per request"


@pytest.fixture
def world(db, settings, monkeypatch, tmp_path, client_for):
    from enforcement import notices
    from outreach.disclosure import certificate

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(notices, "render_pdf", lambda notice: b"%PDF-1.4\n% stub\n")
    monkeypatch.setattr(certificate, "render_pdf", lambda **kw: b"%PDF-1.4\n% stub\n")
    monkeypatch.setattr(notices, "html_to_pdf", lambda html: b"%PDF-1.4\n% stub\n")  # case documents
    users = {
        "anonymous": None,
        "city_manager": make_user("city_manager"),
        "caseworker": make_user("district_caseworker", district="150302"),
        "other_caseworker": make_user("district_caseworker", district="150304"),
        "street_staff": make_user("street_staff", street="150302001"),
        "other_street_staff": make_user("street_staff", street="150302002"),
        "inspector": make_user("inspector"),
        "partner_session": make_user("partner", department="market"),
    }
    users["partner_token"] = users["partner_session"]
    task = OpenTaskFactory(district_id="150302", street_id="150302001", kind="enroll_employer")
    person_task = PersonTaskFactory(district_id="150302", street_id="150302001")
    noticed = OpenTaskFactory(district_id="150302", street_id="150302001")
    notice = services.notice_issue(
        task=noticed, actor=users["caseworker"], deadline=timezone.localdate() + dt.timedelta(days=9)
    )
    batch = RosterBatch.objects.create(
        kind="market_entities",
        department="market",
        snapshot_date=timezone.localdate(),
        sha256="a" * 64,
        status=RosterBatch.Status.LOADED,
        pushed_by=users["partner_session"],
    )
    employer = Employer.objects.create(
        uscc=make_uscc(), name="乌海市黄河煤业有限公司", district_id="150302", street_id="150302001"
    )
    person = Person.objects.create(
        id_number=make_id_number(dt.date(1980, 5, 17)),
        name="陈静",
        birth_date=dt.date(1980, 5, 17),
        sex="M",
        district_id="150302",
        street_id="150302001",
        community="和平社区",
        phone="13712345678",
    )
    run = ComparisonRun.objects.create(
        as_of=timezone.localdate(), status=ComparisonRun.Status.FINISHED, trigger="command"
    )
    community = Community.objects.filter(street_id="150302001").order_by("code").first()
    posting = PublicityPosting(
        community=community,
        posted_on=timezone.localdate() - dt.timedelta(days=3),
        posted_by=users["street_staff"],
    )
    posting.photo.save("posting.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 64), save=True)
    load_snapshot(
        "insurance_employers",
        [
            {
                "uscc": employer.uscc,
                "name": employer.name,
                "district_code": "150302",
                "insured_pension": 12,
                "insured_injury": 12,
                "insured_unemployment": 10,
                "declared_base_total": "60000.00",
            }
        ],
    )
    disclosure_document = DisclosureDocument(
        kind="commitment_letter",
        year=timezone.localdate().year,
        uscc=employer.uscc,
        employer_name=employer.name,
        district_id="150302",
        content_type="application/pdf",
        uploaded_by=users["caseworker"],
    )
    disclosure_document.file.save("letter.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    event = OutreachEvent.objects.create(
        kind="community_talk",
        title="社保知识进社区",
        place="和平社区",
        held_on=timezone.localdate() - dt.timedelta(days=2),
        district_id="150302",
        reach=40,
        recorded_by=users["street_staff"],
    )
    event_photo = OutreachEventPhoto(event=event)
    event_photo.photo.save("event.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 64), save=True)
    api_token_issue(username=users["city_manager"].username)
    api_token = ApiToken.objects.get(user=users["city_manager"])
    lockout = AccessAttempt.objects.create(
        username="someone",
        ip_address="192.0.2.7",
        user_agent="test",
        failures_since_start=5,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )
    bl = _blacklist_world(users, monkeypatch)
    from outreach.sms.services import campaign_create

    sms_campaign = campaign_create(
        actor=users["caseworker"],
        kinds=["enroll_person"],
        statuses=["open"],
        template="{姓氏}您好",
        deadline=timezone.localdate() + dt.timedelta(days=9),
    )
    case_employer = Employer.objects.create(
        uscc=make_uscc(), name="乌海市乌达煤焦有限公司", district_id="150302", street_id="150302001"
    )
    case = case_services.case_open(actor=users["inspector"], uscc=case_employer.uscc, case_type="unenrolled")
    case_violation = case_services.case_record_violation(
        case=case, actor=users["inspector"], kind="not_enrolled", description="未参保"
    )
    case_attachment = case_services.case_add_attachment(
        case=case, actor=users["inspector"], upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 evidence")
    )
    case_document = case_services.case_issue_order(case=case, actor=users["inspector"])
    today = timezone.localdate()
    values = {
        **bl,
        "case": case.pk,
        "case_violation": case_violation.pk,
        "case_attachment": case_attachment.pk,
        "case_document": case_document.pk,
        "api_token": api_token.pk,
        "lockout": lockout.pk,
        "task": task.pk,
        "person_task": person_task.pk,
        "notice": notice.pk,
        "batch": batch.pk,
        "employer": employer.uscc,
        "person": person.pk,
        "run": run.pk,
        "posting": posting.pk,
        "disclosure_document": disclosure_document.pk,
        "event": event.pk,
        "event_photo": event_photo.pk,
        "sms_campaign": sms_campaign.pk,
        "community": community.code,
        "street_staff": users["street_staff"].pk,
        "street_staff_name": users["street_staff"].username,
        "today": today.isoformat(),
        "yesterday": (today - dt.timedelta(days=1)).isoformat(),
        "deadline": (today + dt.timedelta(days=9)).isoformat(),
        "year": today.year,
    }
    # The partner's API client is made once: issuing a key inside a request's check would
    # count as a change.
    return {"users": users, "values": values, "partner_client": client_for(users["partner_token"])}


def _blacklist_world(users, monkeypatch) -> dict[str, int]:
    """A case ready to propose, and blacklist entries in each state (through the services)."""
    from enforcement.blacklist import documents
    from enforcement.blacklist import services as bl
    from enforcement.blacklist.models import BlacklistDelivery
    from enforcement.models import EnforcementCase

    monkeypatch.setattr(documents, "render_pdf", lambda entry: b"%PDF-1.4\n% stub\n")
    inspector, manager = users["inspector"], users["city_manager"]

    def case():
        return EnforcementCase.objects.create(
            case_type="unenrolled",
            status="unrectified",
            employer_uscc=make_uscc(),
            employer_name="乌海市黄河煤业有限公司",
            district_id="150302",
            street_id="150302001",
            opened_by=inspector,
            order_deadline=timezone.localdate() - dt.timedelta(days=1),
        )

    def proposed():
        return bl.blacklist_propose(case=case(), actor=inspector, legal_representative="赵强")

    def notified():
        return bl.blacklist_notify(entry=proposed(), actor=inspector)

    def review():
        return bl.blacklist_record_statement(entry=notified(), actor=inspector, statement="申辩")

    listed = bl.blacklist_approve(entry=review(), actor=manager, decision="列入", measures=["bidding"])
    return {
        "bl_case": case().pk,
        "bl_proposed": proposed().pk,
        "bl_notified": notified().pk,
        "bl_review": review().pk,
        "bl_listed": listed.pk,
        "bl_delivery": BlacklistDelivery.objects.get(entry=listed, department="market").pk,
    }


def _state() -> tuple:
    """What a refused request must leave as it was: the row count of every table of the
    portal (one query), and every task's state."""
    from django.db import connection

    tables = sorted(
        {
            m._meta.db_table
            for m in apps.get_models()
            if m._meta.app_label in PORTAL_APPS and not m._meta.proxy and m._meta.managed
        }
    )
    with connection.cursor() as c:
        c.execute(
            " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {connection.ops.quote_name(t)}" for t in tables)
        )
        counts = tuple(sorted(c.fetchall()))  # UNION ALL has no order (a Parallel Append under load)
    tasks = tuple(
        Task.objects.order_by("pk").values_list(
            "pk", "status", "assignee_id", "due_date", "priority", "resolution"
        )
    )
    return counts + tasks


def _fill(value, values):
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in values:
        return str(values[value[1:-1]])
    return value


def _request(row: Row, column: str, world) -> tuple[int, str]:
    values = world["values"]
    url = row.url.format(**values)
    data = {k: _fill(v, values) for k, v in row.data.items()}
    if data.get("file") == "{roster_file}":
        content = roster_csv("market_entities", [valid_row("market_entities")])
        data["file"] = io.BytesIO(content)
        data["file"].name = "roster.csv"
    user = world["users"][column]
    if column == "partner_token":
        client = world["partner_client"]
    else:
        client = Client()
        if user is not None:
            client.force_login(user)
    if row.method == "GET":
        response = client.get(url)
    elif row.api_json:
        response = client.post(url, json.dumps(data), content_type="application/json")
    else:
        response = client.post(url, data)
    return response.status_code, response.get("Location", "")


def _refused(code: int, location: str) -> bool:
    return code in (400, 401, 403, 404, 405) or (code == 302 and location.startswith("/accounts/login/"))


def _answer(row: Row, column: str, world) -> int:
    task_pk = world["values"]["task"]
    with transaction.atomic():  # every caller meets the same world
        before, events_before = _state(), TaskEvent.objects.filter(task_id=task_pk).count()
        code, location = _request(row, column, world)
        if _refused(code, location):
            assert _state() == before, f"{row.id} as {column}: refused ({code}) but something changed"
        elif row.leaves_an_event:
            assert TaskEvent.objects.filter(task_id=task_pk).count() > events_before, (
                f"{row.id} as {column}: succeeded ({code}) but left no timeline event"
            )
        transaction.set_rollback(True)
    return code


@pytest.mark.parametrize("row", TABLE, ids=[r.id for r in TABLE])
def test_role_url_table(row, world):
    got, want = {}, {}
    for column, expected in zip(COLUMNS, row.expected, strict=True):
        got[column], want[column] = _answer(row, column, world), expected
    assert got == want, row.id


def test_refusals_leave_the_task_and_the_logs_untouched(world):
    """The table's check, spelled out once: another district's caseworker trying every
    task action changes no row anywhere."""
    client = Client()
    client.force_login(world["users"]["other_caseworker"])
    before = _state()
    for action in (
        "assign",
        "contact",
        "notice",
        "rectify",
        "dismiss",
        "escalate",
        "note",
        "reveal/id_number",
    ):
        assert client.post(f"/tasks/{world['values']['task']}/{action}/", {"note": "x"}).status_code == 404
    assert _state() == before
