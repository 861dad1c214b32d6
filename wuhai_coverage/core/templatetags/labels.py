"""Template filters of the label registry (wuhai_coverage.core.labels): `{% load labels %}`.

{{ task.street_id|region }}                    海勃湾区 · 凤凰岭街道
{{ row.status|choice:"enrollment.MarketEntityRow.status" }}   存续
{{ row.industry_code|industry }}               C3110 · 炼铁
{{ row.period|period }}                        2026年10月
{{ amount|money }}  {{ ratio|percent }}        ¥1,234,567.89  18.2%
{{ key|fact }} {{ value|fact_value:key }}      evidence / statistics keys and values
{{ name|parameter }}                           a parameter's name with its unit
{{ value|field_value:"enrollment.TaxPayrollRow.period" }}  by the field it came from
"""

from __future__ import annotations

from typing import Any

from django import template

from wuhai_coverage.core import labels

register = template.Library()


@register.filter
def region(code: Any) -> str:
    return labels.region(code)


@register.filter
def region_name(code: Any) -> str:
    return labels.region_name(code)


@register.filter
def industry(code: Any) -> str:
    return labels.industry(code)


@register.filter
def period(value: Any) -> str:
    return labels.period(value)


@register.filter
def money(value: Any) -> str:
    return labels.money(value)


@register.filter
def number(value: Any) -> str:
    return labels.number(value)


@register.filter
def percent(value: Any, digits: int = 1) -> str:
    return labels.percent(value, int(digits))


@register.filter
def choice(value: Any, vocabulary: str) -> str:
    return labels.choice(value, vocabulary)


@register.filter
def field_value(value: Any, field: str) -> str:
    return labels.field_value(value, field)


@register.filter
def fact(key: Any) -> str:
    return labels.fact(key)


@register.filter
def fact_value(value: Any, key: Any) -> str:
    return labels.fact_value(value, key)


@register.filter
def parameter(name: Any) -> str:
    return labels.parameter(name)
