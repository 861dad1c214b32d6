"""Writes for people: creating users with a role and jurisdiction, issuing and revoking
API tokens."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuhai_coverage.core.models import AccessLog, ApiToken, District, Street, User
from wuhai_coverage.core.roles import validate_jurisdiction
from wuhai_coverage.core.tokens import PREFIX_LENGTH, digest_of, new_key


class UserError(ValueError):
    pass


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    district_code: str | None = None,
    street_code: str | None = None,
    department: str = "",
    password: str | None = None,
    display_name: str = "",
) -> User:
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
            raise UserError(
                f"unknown street {street_code!r} (a 9-digit statistical code from wuhai_streets.csv)"
            )
        if district is None and role == "street_staff":
            district = street.district
    try:
        validate_jurisdiction(role=role, district=district, street=street, department=department or "")
    except ValueError as exc:
        raise UserError(str(exc)) from None
    user = User(
        username=username,
        role=role,
        district=district,
        street=street,
        department=department or "",
        display_name=display_name,
    )
    if password:
        password_check(password, user=user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.is_staff = role == "city_manager"  # city managers keep the reference data in the admin
    user.full_clean(exclude=["password"])
    user.save()
    return user


def password_check(password: str, *, user: User | None = None) -> None:
    """Django's validators (settings.AUTH_PASSWORD_VALIDATORS); UserError with their
    messages in the active language."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise UserError(_("密码不符合要求：%(reasons)s") % {"reasons": " ".join(exc.messages)}) from None


@transaction.atomic
def api_token_issue(
    *, username: str, rotate: bool = False, days: int | None = None, actor: User | None = None
) -> str:
    """A NEW key for the user, valid `days` (default settings.API_TOKEN_DAYS). The key
    is returned once and never stored. Earlier keys keep working until they expire or
    are revoked — unless `rotate`, which revokes them in the same transaction."""
    try:
        user = User.objects.select_for_update().get(username=username)
    except User.DoesNotExist:
        raise UserError(f"no user {username!r}") from None
    if not user.is_active:
        raise UserError(f"user {username!r} is inactive")
    days = settings.API_TOKEN_DAYS if days is None else days
    if days < 1:
        raise UserError("a token is valid for at least one day")
    if rotate:
        api_tokens_revoke(user=user, actor=actor)
    key = new_key()
    now = timezone.now()
    ApiToken.objects.create(
        user=user,
        prefix=key[:PREFIX_LENGTH],
        digest=digest_of(key),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    return key


def api_tokens_revoke(
    *, user: User, actor: User | None = None, prefix: str | None = None, pk: int | None = None
) -> int:
    """Revoke the user's active keys (all of them, or the one with `prefix` or `pk`);
    returns how many. A revoked key is kept, dated and signed, for the audit."""
    qs = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if prefix:
        qs = qs.filter(prefix=prefix)
    if pk is not None:
        qs = qs.filter(pk=pk)
    return qs.update(revoked_at=timezone.now(), revoked_by=actor)


def access_log_reveal(
    *,
    actor: User,
    field: str,
    subject_key: str = "",
    subject_keys=(),
    context: str = "",
    ip: str | None = None,
) -> AccessLog:
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
    return AccessLog.objects.create(
        actor=actor,
        field=field,
        subject_key=keys[0][:40],
        subject_keys=keys,
        context=(context or "")[:200],
        ip=ip or None,
    )
