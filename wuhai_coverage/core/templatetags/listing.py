"""The portal's one table style (CSS table.list in static/css/portal.css):

    {% load listing %}
    {% sort_th _("办理期限") "due_date" current=filters.sort %}   a sortable column header
    {% filter_chips chips %}                                      the active filters, each removable
    {% pager number num_pages count capped=False %}               「第 3 / 12 页，共 287 条」

Links keep the request's other parameters (and drop `page`): a new sort or a removed
filter starts again from page 1.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from wuhai_coverage.core.listing import query_without

register = template.Library()


def _params(context: template.Context) -> Any:
    request = context.get("request")
    return request.GET if request is not None else {}


@register.simple_tag(takes_context=True)
def sort_th(
    context: template.Context,
    label: Any,
    field: str,
    *,
    current: str = "",
    desc_first: bool = False,
    cls: str = "",
) -> str:
    """A <th> whose link sorts by `field` (and reverses it when it is the sort already),
    with ▲/▼ and aria-sort on the column the list is sorted by. `desc_first`: a first
    click sorts descending (dates where the newest matters)."""
    qs = query_without(_params(context), "sort")
    prefix = f"{qs}&" if qs else ""
    if current == field:
        state, arrow, target = "ascending", "▲", f"-{field}"
    elif current == f"-{field}":
        state, arrow, target = "descending", "▼", field
    else:
        state, arrow, target = "", "", f"-{field}" if desc_first else field
    title = _("点击排序")
    return format_html(
        '<th{}{}><a class="sort" href="?{}sort={}" title="{}">{}<span class="arrow" aria-hidden="true">{}</span></a></th>',
        format_html(' class="{}"', cls) if cls else "",
        format_html(' aria-sort="{}"', state) if state else "",
        prefix,
        target,
        title,
        label,
        arrow,
    )


@register.inclusion_tag("core/_chips.html")
def filter_chips(chips: list[Any], clear_url: str = "") -> dict[str, Any]:
    return {"chips": chips, "clear_url": clear_url}


@register.inclusion_tag("core/_pager.html", takes_context=True)
def pager(
    context: template.Context,
    number: int,
    num_pages: int,
    count: int,
    *,
    capped: bool = False,
    qs: str | None = None,
    has_next: bool | None = None,
) -> dict[str, Any]:
    """Previous/next links and 「第 n / N 页，共 C 条」 (with 「+」 when the count stopped at a
    cap; then `has_next` says whether there is a next page)."""
    base = query_without(_params(context), "page") if qs is None else qs
    prefix = f"{base}&" if base else ""
    return {
        "number": number,
        "num_pages": num_pages,
        "count": count,
        "capped": capped,
        "prev_href": f"?{prefix}page={number - 1}" if number > 1 else "",
        "next_href": f"?{prefix}page={number + 1}"
        if (number < num_pages if has_next is None else has_next)
        else "",
    }
