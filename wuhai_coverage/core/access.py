"""The one access helper: every page and API asks it who may do what, and where.

- `has(user, capability)` / `require(user, capability)` — the role table in roles.py.
- `scope(qs, user)` — narrows a queryset to the user's jurisdiction (city, district or
  street). Outside it, objects simply do not exist for the user.
- `get_for_user(qs, user, **lookup)` — one object inside the jurisdiction, else 404
  (never 403, which would confirm the object exists).
- `may_use_path(user, path)` — partner accounts use the API only: every other page
  answers them 403 (applied to every request by core.middleware).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from wuhai_coverage.core import labels
from wuhai_coverage.core.models import Role
from wuhai_coverage.core.roles import CITY_WIDE_ROLES, capabilities_of


@dataclass(frozen=True)
class Jurisdiction:
    """Where a user's reach ends. `nothing` means no rows at all (partners, no role)."""

    city: bool = False
    district_code: str | None = None
    street_code: str | None = None
    nothing: bool = False

    @property
    def label(self) -> str:
        if self.nothing:
            return "—"
        if self.city:
            return _("全市")
        code = self.street_code or self.district_code
        return labels.region(code) if code else "—"  # 海勃湾区 · 凤凰岭街道


def jurisdiction_of(user) -> Jurisdiction:
    if user is None or not user.is_authenticated or not user.is_active:
        return Jurisdiction(nothing=True)
    if user.role in CITY_WIDE_ROLES:
        return Jurisdiction(city=True)
    if user.role == Role.DISTRICT_CASEWORKER and user.district_id:
        return Jurisdiction(district_code=user.district_id)
    if user.role == Role.STREET_STAFF and user.street_id:
        return Jurisdiction(district_code=user.street.district_id, street_code=user.street_id)
    return Jurisdiction(nothing=True)


def has(user, capability: str) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and capability in capabilities_of(user.role)
    )


def require(user, capability: str) -> None:
    if not has(user, capability):
        raise PermissionDenied(f"role {getattr(user, 'role', None)!r} may not {capability}")


def jurisdiction_q(user, *, district_field: str = "district", street_field: str = "street") -> Q | None:
    """The filter for a user's jurisdiction; None means the whole city. Raises nothing:
    a user with no jurisdiction gets a filter that matches no row."""
    j = jurisdiction_of(user)
    if j.nothing:
        return Q(pk__in=[])
    if j.city:
        return None
    if j.street_code:
        return Q(**{f"{street_field}_id": j.street_code}) if street_field else Q(pk__in=[])
    return Q(**{f"{district_field}_id": j.district_code})


def scope(qs: QuerySet, user, *, district_field: str = "district", street_field: str = "street") -> QuerySet:
    q = jurisdiction_q(user, district_field=district_field, street_field=street_field)
    return qs if q is None else qs.filter(q)


def scope_for(qs: QuerySet, user, capability: str, *, district_field: str = "district") -> QuerySet:
    """`qs` narrowed to the user's jurisdiction, and to nothing without `capability`.
    District-level: a row belongs to its district (street staff, who hold no such
    capability today, would see nothing rather than their street's rows); a row with no
    district is seen only city-wide."""
    if not has(user, capability):
        return qs.none()
    return scope(qs, user, district_field=district_field, street_field="")


def get_for_user(
    qs: QuerySet, user, *, district_field: str = "district", street_field: str = "street", **lookup
) -> Model:
    try:
        return scope(qs, user, district_field=district_field, street_field=street_field).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404("not found") from None


def in_jurisdiction(user, *, district_code: str | None, street_code: str | None) -> bool:
    """For objects that are not querysets (a subject key, a roster row)."""
    j = jurisdiction_of(user)
    if j.nothing:
        return False
    if j.city:
        return True
    if j.street_code:
        return street_code == j.street_code
    return district_code == j.district_code


# What a partner account may reach outside the API: signing in and out, the language
# switch, static files, the health check, and the public pages of portal.md.
PARTNER_PATH_PREFIXES = (
    "/api/",
    "/accounts/login/",
    "/accounts/logout/",
    "/i18n/",
    "/static/",
    "/favicon.ico",
    "/healthz/",
    "/calculator/",
    "/blacklist/",
    "/disclosure/",
)


# A partner's own pages: its home (/ → /dashboard/), its batches with their error reports
# (the batch selector shows a partner its department's only), its own API keys.
PARTNER_PAGES = re.compile(r"^/(?:dashboard/)?$|^/rosters/\d+/(?:errors\.xlsx)?$|^/accounts/my-tokens/")


def may_use_path(user, path: str) -> bool:
    """False for a partner on any staff page: partners push and read through the API, and
    see their own deliveries and keys on their home."""
    if user is None or not user.is_authenticated or user.role != Role.PARTNER:
        return True
    return path.startswith(PARTNER_PATH_PREFIXES) or PARTNER_PAGES.match(path) is not None
