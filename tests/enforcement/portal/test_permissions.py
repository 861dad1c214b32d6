"""The role × page permission table: every page and API of the caseworker's portal, for
every role, answers as the table says (404 outside the jurisdiction, 403 for a role
without the capability, a redirect to the login page for anonymous users)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from enforcement import services
from tests.factories import OpenTaskFactory, PersonTaskFactory, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdf")]

ROLES = (
    "anonymous",
    "city_manager",
    "district_caseworker",
    "other_caseworker",
    "street_staff",
    "inspector",
    "partner",
)


def _user(role):
    return {
        "anonymous": lambda: None,
        "city_manager": lambda: make_user("city_manager"),
        "district_caseworker": lambda: make_user("district_caseworker", district="150302"),
        "other_caseworker": lambda: make_user("district_caseworker", district="150304"),
        "street_staff": lambda: make_user("street_staff", street="150302001"),
        "inspector": lambda: make_user("inspector"),
        "partner": lambda: make_user("partner", department="market"),
    }[role]()


def _client(role):
    client = Client()
    user = _user(role)
    if user:
        client.force_login(user)
    return client


#       url (… {id} / {notice}),      anon, mgr, cw,  other, street, insp, partner
GET_TABLE = [
    ("/", (302, 302, 302, 302, 302, 302, 403)),  # partners: the API only (core.middleware)
    ("/dashboard/", (302, 200, 200, 200, 200, 200, 403)),
    ("/tasks/", (302, 200, 200, 200, 200, 200, 403)),
    ("/tasks/?kind=nope", (302, 400, 400, 400, 400, 400, 403)),
    ("/tasks/export.xlsx", (302, 200, 200, 200, 200, 200, 403)),
    ("/tasks/street/", (302, 200, 200, 200, 200, 403, 403)),
    ("/tasks/{id}/", (302, 200, 200, 404, 200, 200, 403)),
    ("/tasks/{id}/visit/", (302, 200, 200, 404, 200, 403, 403)),
    ("/notices/{notice}.pdf", (302, 200, 200, 404, 200, 200, 403)),
    ("/accounts/tokens/", (302, 200, 403, 403, 403, 403, 403)),
    ("/accounts/lockouts/", (302, 200, 403, 403, 403, 403, 403)),
    ("/api/v1/tasks/", (401, 200, 200, 200, 200, 200, 403)),
    ("/api/v1/tasks/?status=nope", (401, 400, 400, 400, 400, 400, 403)),
    ("/api/v1/tasks/{id}/", (401, 200, 200, 404, 200, 200, 403)),
]


@pytest.fixture
def objects(db):
    issuer = make_user("district_caseworker", district="150302")
    task = PersonTaskFactory(district_id="150302", street_id="150302001")
    noticed = OpenTaskFactory()
    notice = services.notice_issue(
        task=noticed, actor=issuer, deadline=timezone.localdate() + dt.timedelta(days=9)
    )
    make_user("street_staff", street="150302001", username="fhl-worker")
    return {"task": task, "notice": notice}


@pytest.mark.parametrize("url, expected", GET_TABLE, ids=[u for u, _ in GET_TABLE])
@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)), ids=ROLES)
def test_get_permission_table(url, expected, role_index, role, objects):
    url = url.format(id=objects["task"].pk, notice=objects["notice"].pk)
    response = _client(role).get(url)
    assert response.status_code == expected[role_index], (role, url)


def _post_data(action):
    return {
        "assign": {"assignee": "fhl-worker"},
        "contact": {"channel": "phone", "outcome": "reached", "note": "ok"},
        "notice": {
            "kind": "enrollment",
            "deadline": (timezone.localdate() + dt.timedelta(days=9)).isoformat(),
        },
        "rectify": {"what_changed": "已参保"},
        "dismiss": {"reason": "查无此人"},
        "escalate": {"note": "x"},
        "note": {"note": "x"},
    }[action]


#        action,   anon, mgr, cw,  other, street, insp, partner     (pages: success is a redirect;
#                                                                 a partner never reaches a staff page: 403)
POST_TABLE = [
    ("assign", (302, 302, 302, 404, 403, 403, 403)),
    ("contact", (302, 302, 302, 404, 302, 403, 403)),
    ("notice", (302, 302, 302, 404, 403, 403, 403)),
    ("rectify", (302, 302, 302, 404, 302, 403, 403)),
    ("dismiss", (302, 302, 302, 404, 403, 403, 403)),
    ("escalate", (302, 302, 302, 404, 403, 403, 403)),
    ("note", (302, 302, 302, 404, 302, 403, 403)),
    ("reveal/id_number", (302, 200, 200, 404, 200, 200, 403)),
    ("visit", (302, 302, 302, 404, 302, 403, 403)),
]


@pytest.mark.parametrize("action, expected", POST_TABLE, ids=[a for a, _ in POST_TABLE])
@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)), ids=ROLES)
def test_post_permission_table(action, expected, role_index, role, db):
    make_user("street_staff", street="150302001", username=f"w-{action.replace('/', '-')}-{role}")
    task = OpenTaskFactory(district_id="150302", street_id="150302001", kind="enroll_employer")
    data = (
        _post_data(action.split("/")[0])
        if not action.startswith(("reveal", "visit"))
        else ({"channel": "visit", "outcome": "reached"} if action == "visit" else {})
    )
    if action == "assign":
        from wuhai_coverage.core.models import User

        data = {"assignee": User.objects.get(username=f"w-assign-{role}").pk}
    response = _client(role).post(f"/tasks/{task.pk}/{action}/", data)
    assert response.status_code == expected[role_index], (
        role,
        action,
        getattr(response, "content", b"")[:300],
    )
    if expected[role_index] == 302 and role != "anonymous":
        assert task.events.exists(), "a successful action leaves a timeline event"


#        action,   anon, mgr, cw,  other, street, insp, partner    (API: success is 200)
API_POST_TABLE = [
    ("assign", (401, 200, 200, 404, 403, 403, 403)),
    ("contact", (401, 200, 200, 404, 200, 403, 403)),
    ("notice", (401, 200, 200, 404, 403, 403, 403)),
    ("rectify", (401, 200, 200, 404, 200, 403, 403)),
    ("dismiss", (401, 200, 200, 404, 403, 403, 403)),
    ("escalate", (401, 200, 200, 404, 403, 403, 403)),
]


@pytest.mark.parametrize("action, expected", API_POST_TABLE, ids=[a for a, _ in API_POST_TABLE])
@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)), ids=ROLES)
def test_api_post_permission_table(action, expected, role_index, role, db):
    make_user("street_staff", street="150302001", username="fhl-worker")
    task = OpenTaskFactory(district_id="150302", street_id="150302001")
    response = _client(role).post(
        f"/api/v1/tasks/{task.pk}/{action}/", _post_data(action), content_type="application/json"
    )
    assert response.status_code == expected[role_index], (role, action, response.content[:300])


def test_bulk_assign_permissions(db):
    for role, expected in zip(ROLES, (302, 302, 302, 302, 403, 403, 403), strict=True):
        response = _client(role).post("/tasks/bulk-assign/", {"assignee": "1", "task": ["1"]})
        assert response.status_code == expected, role
