from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def pct(value) -> str:
    """A fraction (0.75, Fraction(3, 4)) as '75.00 %'; — when there is none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{Decimal(value) * 100:.2f} %"


@register.filter
def ratio4(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{Decimal(value):.4f}"


@register.filter
def score(value) -> str:
    return "—" if value is None else f"{value:.2f}"


@register.filter
def yesno_zh(value) -> str:
    return _("是") if value else _("否")


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
