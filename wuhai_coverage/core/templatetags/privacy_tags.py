"""Template filters of the masking rules (`wuhai_coverage.core.privacy`): every template
that prints a personal value loads these, so a page cannot mask differently.

    {% load privacy_tags %}
    {{ p.id_number|masked:"id_number" }}  {{ p.phone|masked:"phone" }}  {{ p.birth_date|birth_year }}
"""

from __future__ import annotations

from django import template

from wuhai_coverage.core import privacy

register = template.Library()


@register.filter
def masked(value, kind: str = privacy.ID_NUMBER) -> str:
    return privacy.mask(value, kind)


@register.filter
def birth_year(value) -> str:
    return privacy.birth_year(value)
