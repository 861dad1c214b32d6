"""manage.py create_user and issue_api_token exactly as portal.md specifies them."""

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from wuhai_coverage.core.models import User

STRONG = "harbour-lantern-4417"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, role, district, street, department",
    [
        (["--role", "city_manager"], "city_manager", None, None, ""),
        (
            ["--role", "district_caseworker", "--district", "150303"],
            "district_caseworker",
            "150303",
            None,
            "",
        ),
        (["--role", "street_staff", "--street", "150304002"], "street_staff", "150304", "150304002", ""),
        (["--role", "inspector"], "inspector", None, None, ""),
        (["--role", "partner", "--department", "public_security"], "partner", None, None, "public_security"),
        (["--role", "partner", "--department", "hrss"], "partner", None, None, "hrss"),
    ],
)
def test_every_role_can_be_created_and_given_a_token(capsys, args, role, district, street, department):
    call_command("create_user", "u1", *args, "--password", STRONG)
    user = User.objects.get(username="u1")
    assert (user.role, user.district_id, user.street_id, user.department) == (
        role,
        district,
        street,
        department,
    )
    assert user.check_password(STRONG)
    capsys.readouterr()
    call_command("issue_api_token", "u1")
    key = capsys.readouterr().out
    assert key.strip() and key == key.strip() + "\n" and len(key.strip()) == 40
    response = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key.strip()}")
    assert response.status_code == 200 and response.json()["role"] == role


@pytest.mark.django_db
def test_each_issue_is_a_new_key_and_rotate_revokes_the_old_ones(capsys):
    call_command("create_user", "p", "--role", "partner", "--department", "tax")
    capsys.readouterr()
    call_command("issue_api_token", "p")
    first = capsys.readouterr().out.strip()
    call_command("issue_api_token", "p")
    second = capsys.readouterr().out.strip()
    assert second != first  # the old key is never re-printed: it is not stored
    me = lambda key: APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code  # noqa: E731
    assert me(first) == me(second) == 200  # both work until revoked or expired
    call_command("issue_api_token", "p", "--rotate")
    third = capsys.readouterr().out.strip()
    assert (me(first), me(second), me(third)) == (401, 401, 200)


@pytest.mark.django_db
def test_user_without_password_cannot_log_in_with_one():
    call_command("create_user", "api", "--role", "partner", "--department", "market")
    assert not User.objects.get(username="api").has_usable_password()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, message",
    [
        (["--role", "district_caseworker"], "--district"),
        (["--role", "district_caseworker", "--district", "110101"], "unknown district"),
        (["--role", "street_staff", "--street", "150302099"], "unknown street"),
        (["--role", "street_staff", "--street", "150302001", "--district", "150304"], "not in district"),
        (["--role", "partner"], "--department"),
        (["--role", "inspector", "--district", "150302"], "city-wide"),
    ],
)
def test_create_user_refuses_a_wrong_jurisdiction(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_user", "bad", *args)
    assert not User.objects.filter(username="bad").exists()


@pytest.mark.django_db
def test_duplicate_user_and_unknown_token_user():
    call_command("create_user", "dup", "--role", "inspector")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_user", "dup", "--role", "inspector")
    with pytest.raises(CommandError, match="no user"):
        call_command("issue_api_token", "ghost")
