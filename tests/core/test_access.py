"""The role table and the one access helper, role by role."""

import pytest
from django.http import Http404

from enforcement.models import Task
from tests.factories import OpenTaskFactory, make_user
from wuhai_coverage.core import access, roles

ALL_CAPS = sorted({c for caps in roles.CAPABILITIES.values() for c in caps})
EXPECTED = {
    "city_manager": set(ALL_CAPS) - {"push_rosters", "manage_cases", "propose_blacklist"},
    "district_caseworker": {
        "view_tasks",
        "work_tasks",
        "assign_tasks",
        "issue_notices",
        "reveal_personal",
        "view_rosters",
        "view_assessment",
        "post_publicity",
        "manage_disclosure",
        "send_sms",
        "view_cases",  # their district's enforcement cases, read-only
    },
    "street_staff": {"view_tasks", "work_tasks", "reveal_personal", "post_publicity"},
    "inspector": {
        "view_tasks",
        "reveal_personal",
        "view_cases",
        "manage_cases",
        "propose_blacklist",
        "read_blacklist",
    },
    "partner": {"push_rosters", "read_blacklist"},
}


def _user(role):
    return {
        "city_manager": lambda: make_user("city_manager"),
        "district_caseworker": lambda: make_user("district_caseworker", district="150302"),
        "street_staff": lambda: make_user("street_staff", street="150302001"),
        "inspector": lambda: make_user("inspector"),
        "partner": lambda: make_user("partner", department="market"),
    }[role]()


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("cap", ALL_CAPS)
def test_permission_table(role, cap):
    assert access.has(_user(role), cap) is (cap in EXPECTED[role])


@pytest.mark.django_db
def test_anonymous_and_inactive_have_nothing(django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert not access.has(AnonymousUser(), "view_tasks")
    u = make_user("city_manager")
    u.is_active = False
    u.save()
    assert not access.has(u, "view_tasks")
    assert access.jurisdiction_of(u).nothing


@pytest.fixture
def tasks(db):
    return {
        "haibowan_fenghuangling": OpenTaskFactory(district_id="150302", street_id="150302001"),
        "haibowan_haibei": OpenTaskFactory(district_id="150302", street_id="150302002"),
        "haibowan_unassigned": OpenTaskFactory(district_id="150302", street_id=None),
        "wuda": OpenTaskFactory(district_id="150304", street_id="150304002"),
        "city_queue": OpenTaskFactory(district_id=None, street_id=None),
    }


@pytest.mark.parametrize(
    "role, visible",
    [
        (
            "city_manager",
            {"haibowan_fenghuangling", "haibowan_haibei", "haibowan_unassigned", "wuda", "city_queue"},
        ),
        (
            "inspector",
            {"haibowan_fenghuangling", "haibowan_haibei", "haibowan_unassigned", "wuda", "city_queue"},
        ),
        ("district_caseworker", {"haibowan_fenghuangling", "haibowan_haibei", "haibowan_unassigned"}),
        ("street_staff", {"haibowan_fenghuangling"}),
        ("partner", set()),
    ],
)
def test_scope_and_get_for_user(tasks, role, visible):
    user = _user(role)
    got = set(access.scope(Task.objects.all(), user).values_list("pk", flat=True))
    assert got == {tasks[name].pk for name in visible}
    for name, task in tasks.items():
        if name in visible:
            assert access.get_for_user(Task.objects.all(), user, pk=task.pk) == task
        else:
            with pytest.raises(Http404):
                access.get_for_user(Task.objects.all(), user, pk=task.pk)


def test_get_for_user_bad_pk_is_404(tasks):
    with pytest.raises(Http404):
        access.get_for_user(Task.objects.all(), _user("city_manager"), pk="not-a-number")


@pytest.mark.django_db
def test_in_jurisdiction_for_plain_values():
    cw = make_user("district_caseworker", district="150303")
    assert access.in_jurisdiction(cw, district_code="150303", street_code=None)
    assert not access.in_jurisdiction(cw, district_code="150302", street_code="150302001")
    st = make_user("street_staff", street="150303001")
    assert access.in_jurisdiction(st, district_code="150303", street_code="150303001")
    assert not access.in_jurisdiction(st, district_code="150303", street_code="150303002")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"role": "district_caseworker"}, "--district"),
        ({"role": "street_staff"}, "--street"),
        ({"role": "partner"}, "--department"),
        ({"role": "partner", "department": "bank"}, "--department"),
        ({"role": "city_manager", "department": "tax"}, "only a partner"),
        ({"role": "wizard"}, "unknown role"),
    ],
)
def test_validate_jurisdiction_errors(kwargs, message):
    args = {"district": None, "street": None, "department": "", **kwargs}
    with pytest.raises(ValueError, match=message):
        roles.validate_jurisdiction(**args)
