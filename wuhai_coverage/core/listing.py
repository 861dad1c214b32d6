"""The portal's one list style, in Python: the chips of the active filters and the pager's
numbers. The templates draw them with the tags of core/templatetags/listing.py and the
partials templates/core/_pager.html and templates/core/_chips.html (CSS: table.list).

    chips = listing.filter_chips(request.GET, [
        ("status", _("状态"), dict(Task.Status.choices)),   # value → label
        ("q", _("关键词"), None),                            # the value itself
    ])
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

# Parameters that never make a chip nor survive a filter's removal link.
_NOT_FILTERS = frozenset({"page", "csrfmiddlewaretoken"})


@dataclass(frozen=True)
class Chip:
    """One active filter: 「label：value」 and the query string of the list without it."""

    label: str
    value: str
    remove_qs: str


def query_without(params: Mapping[str, Any], *names: str) -> str:
    """The query string of `params` (a QueryDict or dict) without `names`, page and empties."""
    drop = _NOT_FILTERS | set(names)
    items = (
        params.items() if not hasattr(params, "lists") else ((k, v) for k, vs in params.lists() for v in vs)
    )
    return urlencode([(k, v) for k, v in items if k not in drop and v not in (None, "")])


def filter_chips(
    params: Mapping[str, Any], spec: Iterable[tuple[str, Any, Mapping[Any, Any] | None]]
) -> list[Chip]:
    """A chip for each parameter of `spec` (name, label, labels of its values or None) that
    has a value in `params`; a value missing from the labels shows as given."""
    chips = []
    for name, label, labels in spec:
        value = params.get(name)
        if value in (None, ""):
            continue
        shown = labels.get(value, value) if labels is not None else value
        chips.append(Chip(label=str(label), value=str(shown), remove_qs=query_without(params, name)))
    return chips


def page_count(count: int, page_size: int) -> int:
    """Pages needed for `count` rows (at least 1: an empty list is one empty page)."""
    return max(1, math.ceil(count / page_size))
