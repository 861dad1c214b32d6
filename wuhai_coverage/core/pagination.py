"""The one pagination of the API (portal.md → Entry points): {"count", "next", "previous",
"results"}, `page` from 1, `page_size` from 1 to 1000 (default 50).

A malformed `page` or a `page_size` out of range is a 400 naming the parameter, never
silently replaced by the default; a page past the last one is a 404. The schema states
the same bounds (minimum, maximum), so a generated client refuses what the server would."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


# Longer digit strings are read as this: past any last page (and below Python's limit on
# the digits int() converts).
_LONGEST = 18


def _whole_number(raw: str, *, low: int, high: int | None) -> int | None:
    """The integer `raw` spells (ASCII digits only: no sign, space or exponent), if it lies
    in [low, high]."""
    if not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw) if len(raw) <= _LONGEST else 10**_LONGEST
    if value < low or (high is not None and value > high):
        return None
    return value


class PortalPagination(PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:  # absent or empty: an empty query parameter is an absent one, API-wide
            return self.page_size
        size = _whole_number(raw, low=1, high=self.max_page_size)
        if size is None:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("每页条数应为 1 到 %(max)d 之间的整数") % {"max": self.max_page_size}
                    ]
                }
            )
        return size

    def get_page_number(self, request: Request, paginator: Paginator) -> int | str:
        raw = request.query_params.get(self.page_query_param)
        if not raw:
            return 1
        if raw in self.last_page_strings:
            return paginator.num_pages
        number = _whole_number(raw, low=1, high=None)
        if number is None:
            raise ValidationError({self.page_query_param: [_("页码应为从 1 开始的整数")]})
        return number

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "page number, from 1; past the last page: 404",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"results per page, 1 to {self.max_page_size} (default {self.page_size})",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
