from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django import template

register = template.Library()

Number = Decimal | Fraction | float | int | str | None


@register.filter
def pct(value: Number) -> str:
    """A fraction (0.75, Fraction(3, 4)) as '75.00 %'; — when there is none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{Decimal(value) * 100:.2f} %"


@register.filter
def ratio4(value: Number) -> str:
    if value is None:
        return "—"
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{Decimal(value):.4f}"


@register.filter
def score(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


@register.filter
def get(mapping: Mapping[str, Any] | None, key: str) -> Any:
    """A mapping's value by a key held in a variable (`labels|get:name`)."""
    return mapping.get(key) if mapping else None
