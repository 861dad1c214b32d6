"""Writes for people: creating users with a role and jurisdiction, issuing API tokens."""
from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token

from wuhai_coverage.core.models import AccessLog, District, Street, User
from wuhai_coverage.core.roles import validate_jurisdiction


class UserError(ValueError):
    pass


@transaction.atomic
def user_create(*, username: str, role: str, district_code: str | None = None, street_code: str | None = None,
                department: str = "", password: str | None = None, display_name: str = "") -> User:
    if not username or not username.strip():
        raise UserError("a username is required")
    if User.objects.filter(username=username).exists():
        raise UserError(f"user {username!r} already exists")
    district = street = None
    if district_code:
        district = District.objects.filter(code=district_code).first()
        if district is None:
            known = ", ".join(f"{d.code} {d.name}" for d in District.objects.all())
            raise UserError(f"unknown district {district_code!r}; Wuhai's districts: {known}")
    if street_code:
        street = Street.objects.filter(code=street_code).first()
        if street is None:
            raise UserError(f"unknown street {street_code!r} (a 9-digit statistical code from wuhai_streets.csv)")
        if district is None and role == "street_staff":
            district = street.district
    try:
        validate_jurisdiction(role=role, district=district, street=street, department=department or "")
    except ValueError as exc:
        raise UserError(str(exc)) from None
    user = User(username=username, role=role, district=district, street=street,
                department=department or "", display_name=display_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.is_staff = role == "city_manager"  # city managers keep the reference data in the admin
    user.full_clean(exclude=["password"])
    user.save()
    return user


def api_token_issue(*, username: str, rotate: bool = False) -> str:
    try:
        user = User.objects.get(username=username)
    except User.DoesNotExist:
        raise UserError(f"no user {username!r}") from None
    if not user.is_active:
        raise UserError(f"user {username!r} is inactive")
    if rotate:
        Token.objects.filter(user=user).delete()
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def access_log_reveal(*, actor: User, field: str, subject_key: str = "", subject_keys=(), context: str = "",
                      ip: str | None = None) -> AccessLog:
    """Record that `actor` unmasked the ID number or phone of `subject_key` — or of every
    key in `subject_keys` at once (the API's `reveal=true`: one entry per request naming
    every subject revealed). portal.md: every reveal is written to the access log with
    who, what and when. The caller has already checked the capability and the jurisdiction.
    This is the one door through which a full ID number or phone leaves the server."""
    if field not in AccessLog.Field.values:
        raise ValueError(f"cannot reveal {field!r}; fields: {', '.join(AccessLog.Field.values)}")
    keys = list(dict.fromkeys([*([subject_key] if subject_key else []), *subject_keys]))
    if not keys:
        raise ValueError("a reveal names at least one subject")
    return AccessLog.objects.create(actor=actor, field=field, subject_key=keys[0][:40], subject_keys=keys,
                                    context=(context or "")[:200], ip=ip or None)
