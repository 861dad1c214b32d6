"""The one place a stored value becomes words a person reads.

Every page, PDF and human-facing export shows codes and enum values through here:

- region codes → names: ``150302`` → 海勃湾区, ``150302001`` → 海勃湾区 · 凤凰岭街道
  (communities likewise), from the reference data, cached per process (no query per page);
- enum values → their labels: every model field's ``choices`` is collected on first use
  (``"enrollment.MarketEntityRow.entity_type"``), and an app registers the vocabularies of
  fields stored without choices (``register_vocabulary`` / ``register_field``);
- industry codes → ``C3110 · <GB/T 4754 name>`` (the class from the key-industry list,
  else its division, else its section);
- periods ``202610`` → 2026年10月 (October 2026), money ``1234567.89`` → ¥1,234,567.89,
  ratios ``0.182`` → 18.2%;
- evidence keys (``register_facts``) and parameter names (``register_parameters``) → their
  translated names, with units.

The project package imports no app: the apps register their words here in their
``AppConfig.ready`` (see enforcement/apps.py, assessment/apps.py, outreach/apps.py,
enrollment/apps.py). A value nobody registered is shown as itself with a marker
(``UNKNOWN``), never an error. Template filters: ``{% load labels %}``
(wuhai_coverage/core/templatetags/labels.py).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext

Label = str | Promise

# What an unknown code is shown as: the code itself with a (translated) marker.
UNKNOWN = "（未知代码）"  # what the test and the unit tests look for (zh)
SEPARATOR = " · "  # between a region's levels, and between an industry code and its name
RELOAD_AFTER_SECONDS = 60.0  # a miss reloads the reference tables at most this often


def unknown(code: Any) -> str:
    return gettext("%(code)s（未知代码）") % {"code": code}


# --- Reference tables (regions, industries): small, loaded once per process -----------


class _Reference:
    """The region and industry names. First read from the reference files the database is
    loaded from (fixtures/, core/reference.py: no query at all); a code not found there
    reloads them from the database, at most every RELOAD_AFTER_SECONDS (6 small queries)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.loaded_at: float | None = None
        self.districts: dict[str, str] = {}
        self.streets: dict[str, tuple[str, str]] = {}  # code → (name, district code)
        self.communities: dict[str, tuple[str, str]] = {}  # code → (name, street code)
        self.industries: dict[str, str] = {}  # section letter, division (C31) or class (C3110) → name

    def _set(self, districts, streets, communities, industries) -> None:
        with self._lock:
            self.districts, self.streets, self.communities = districts, streets, communities
            self.industries = industries
            self.loaded_at = time.monotonic()

    def _load_files(self) -> None:
        from wuhai_coverage.core.reference import read_csv

        industries: dict[str, str] = {}
        for name in ("industry_sections.csv", "industry_divisions.csv", "pneumoconiosis_industries.csv"):
            industries.update((r["code"], r["name"]) for r in read_csv(name))
        self._set(
            {r["code"]: r["name"] for r in read_csv("wuhai_districts.csv")},
            {r["code"]: (r["name"], r["district_code"]) for r in read_csv("wuhai_streets.csv")},
            {r["code"]: (r["name"], r["street_code"]) for r in read_csv("wuhai_communities.csv")},
            industries,
        )

    def _load(self) -> None:
        District = apps.get_model("core", "District")
        Street = apps.get_model("core", "Street")
        Community = apps.get_model("core", "Community")
        industries: dict[str, str] = {}
        for model in ("IndustrySection", "IndustryDivision", "KeyIndustry"):
            industries.update(apps.get_model("core", model).objects.values_list("code", "name"))
        self._set(
            dict(District.objects.values_list("code", "name")),
            {c: (n, d) for c, n, d in Street.objects.values_list("code", "name", "district_id")},
            {c: (n, s) for c, n, s in Community.objects.values_list("code", "name", "street_id")},
            industries,
        )

    def ensure(self, *, missed: bool = False) -> None:
        if self.loaded_at is None:
            self._load_files()
        elif missed and time.monotonic() - self.loaded_at > RELOAD_AFTER_SECONDS:
            self._load()

    def clear(self) -> None:
        with self._lock:
            self.loaded_at = None


REFERENCE = _Reference()


def _lookup(table: str, code: str) -> Any:
    REFERENCE.ensure()
    hit = getattr(REFERENCE, table).get(code)
    if hit is None:
        REFERENCE.ensure(missed=True)
        hit = getattr(REFERENCE, table).get(code)
    return hit


def region_name(code: Any) -> str:
    """The name of a district, street or community code, alone (凤凰岭街道)."""
    if code in (None, ""):
        return ""
    code = str(code).strip()
    if len(code) == 6:
        return _lookup("districts", code) or unknown(code)
    table = {9: "streets", 12: "communities"}.get(len(code))
    hit = _lookup(table, code) if table else None
    return hit[0] if hit else unknown(code)


def region(code: Any) -> str:
    """A region code as its path of names: 海勃湾区, 海勃湾区 · 凤凰岭街道,
    海勃湾区 · 凤凰岭街道 · 和平社区居委会. A code not in the reference tables is
    shown as itself with the unknown marker."""
    if code in (None, ""):
        return ""
    code = str(code).strip()
    if not code.isdigit() or len(code) not in (6, 9, 12):
        return unknown(code)
    if len(code) == 6:
        return region_name(code)
    if len(code) == 9:
        street = _lookup("streets", code)
        if street is None:
            return unknown(code)
        return SEPARATOR.join((region_name(street[1]), street[0]))
    community = _lookup("communities", code)
    if community is None:
        return unknown(code)
    return SEPARATOR.join((region(community[1]), community[0]))


_INDUSTRY = re.compile(r"^([A-T])(\d{2,4})?$")


def industry(code: Any) -> str:
    """An industry code with its GB/T 4754 name: C3110 · 炼铁; the most precise name the
    reference has (the class on the key-industry list, else its division, else its section)."""
    if code in (None, ""):
        return ""
    code = str(code).strip().upper()
    m = _INDUSTRY.match(code)
    if not m:
        return unknown(code)
    for candidate in (code, code[:3], code[:1]):
        name = _lookup("industries", candidate)
        if name:
            return f"{code}{SEPARATOR}{name}"
    return unknown(code)


# --- Numbers, money, periods ----------------------------------------------------------


def decimal_or_none(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def money(value: Any, *, symbol: bool = True) -> str:
    """¥1,234,567.89 (— for nothing)."""
    d = decimal_or_none(value)
    if d is None:
        return "—" if value in (None, "") else str(value)
    text = f"{d:,.2f}"
    return f"¥{text}" if symbol else text


def number(value: Any) -> str:
    """A count or amount with thousands separators, decimals kept as given: 12,345."""
    d = decimal_or_none(value)
    if d is None:
        return "—" if value in (None, "") else str(value)
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d:,}"


def percent(value: Any, digits: int = 1) -> str:
    """A ratio as a percentage: 0.182 → 18.2%, 0.05 → 5%."""
    d = decimal_or_none(value)
    if d is None:
        return "—" if value in (None, "") else str(value)
    text = f"{d * 100:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def period(value: Any) -> str:
    """A YYYYMM period (202610, "2026-10") as 2026年10月 (October 2026 in English)."""
    if value in (None, ""):
        return ""
    digits = re.sub(r"\D", "", str(value))
    if len(digits) != 6:
        return unknown(value)
    year, month = int(digits[:4]), int(digits[4:])
    if not 1 <= month <= 12:
        return unknown(value)
    return date_format(dt.date(year, month, 1), "YEAR_MONTH_FORMAT")


# --- Vocabularies: enum values → labels -----------------------------------------------

_vocabularies: dict[str, dict[str, Label]] = {}  # registered by apps: name → {value: label}
_fields: dict[str, str] = {}  # "app.Model.field" → vocabulary name, for fields stored without choices
_collected = False


def register_vocabulary(name: str, values: Mapping[Any, Label] | Iterable[tuple[Any, Label]]) -> None:
    """A named set of values and their labels (a TextChoices' `.choices`, or a dict)."""
    items = values.items() if isinstance(values, Mapping) else values
    _vocabularies[name] = {str(k): v for k, v in items}


def register_field(field: str, vocabulary: str) -> None:
    """The vocabulary of a model field stored without choices ("enrollment.PovertyRow.status")."""
    _fields[field] = vocabulary


def _collect_model_choices() -> None:
    """Every model field's choices, as the vocabulary "app_label.Model.field"."""
    global _collected
    if _collected:
        return
    for model in apps.get_models():
        for f in model._meta.get_fields():
            choices = getattr(f, "choices", None)
            if choices and getattr(f, "concrete", False):
                name = f"{model._meta.app_label}.{model.__name__}.{f.name}"
                _vocabularies.setdefault(
                    name, {str(k): v for k, v in choices if not isinstance(v, list | tuple)}
                )
    _collected = True


def vocabulary(name: str) -> dict[str, Label]:
    _collect_model_choices()
    return _vocabularies.get(_fields.get(name, name), {})


def choice(value: Any, name: str) -> str:
    """The label of `value` in the vocabulary (or model field) `name`; unknown: marked."""
    if value in (None, ""):
        return ""
    label = vocabulary(name).get(str(value))
    return str(label) if label is not None else unknown(value)


def enum_values() -> dict[str, set[str]]:
    """Every enum value whose label differs from it → the vocabularies holding it (for the
    test that no page shows one raw)."""
    _collect_model_choices()
    out: dict[str, set[str]] = {}
    for name, values in _vocabularies.items():
        for value, label in values.items():
            if str(label) != value:
                out.setdefault(value, set()).add(name)
    return out


# Fields shown through something other than a vocabulary, by their name.
REGION_FIELDS = frozenset(
    {"district_code", "street_code", "community_code", "district_id", "street_id", "community_id"}
)
PERIOD_FIELDS = frozenset({"period", "last_paid_period", "payroll_period"})
INDUSTRY_FIELDS = frozenset({"industry_code", "industry"})
MONEY_FIELDS = frozenset(
    {"payroll_total", "declared_base_total", "arrears_amount", "contract_amount", "contribution_base"}
)


def field_value(value: Any, field: str) -> str:
    """A model field's value for a person to read; `field` is "app.Model.field" (its
    vocabulary when it has one, else the field name decides: region, period, industry, money)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    name = field.rsplit(".", 1)[-1]
    if vocabulary(field):
        return choice(value, field)
    if name in REGION_FIELDS:
        return region(value)
    if name in PERIOD_FIELDS:
        return period(value)
    if name in INDUSTRY_FIELDS:
        return industry(value)
    if name in MONEY_FIELDS:
        return money(value)
    return str(value)


# --- Evidence keys and parameter names ------------------------------------------------

_facts: dict[str, Label] = {}
_fact_values: dict[str, Callable[[Any], str]] = {}
_parameters: list[Callable[[str], Label | None]] = []


def register_facts(labels: Mapping[str, Label]) -> None:
    """Names of evidence / statistics keys (``H``, ``_facts``, ``threshold`` …)."""
    _facts.update(labels)


def register_fact_value(key: str, render: Callable[[Any], str]) -> None:
    """How the value under an evidence key reads (a ratio as a percentage, a code as a name)."""
    _fact_values[key] = render


def register_parameters(resolver: Callable[[str], Label | None]) -> None:
    """A function giving a parameter name's label (with its unit), None when not its own."""
    _parameters.append(resolver)


def fact(key: Any) -> str:
    """The translated name of an evidence / statistics key; unknown: marked."""
    key = str(key)
    label = _facts.get(key)
    return str(label) if label is not None else unknown(key)


def fact_value(value: Any, key: Any) -> str:
    """The value under an evidence key as a person reads it."""
    key = str(key)
    if value is None:
        return ""
    if key in _fact_values:
        return _fact_values[key](value)
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, list | tuple):
        return gettext("、").join(fact_value(v, key) for v in value)
    if isinstance(value, dict):
        item = gettext("%(label)s：%(value)s")
        return gettext("；").join(
            item % {"label": fact(k), "value": fact_value(v, k)} for k, v in value.items()
        )
    return field_value(value, key)


def parameter(name: Any) -> str:
    """The translated name (with unit) of a comparison, assessment or pension parameter."""
    name = str(name)
    for resolver in _parameters:
        label = resolver(name)
        if label is not None:
            return str(label)
    return unknown(name)


def reset_for_tests() -> None:
    """Forget the cached reference tables (a test that edits them)."""
    REFERENCE.clear()
