"""Text written into records (a batch's message, a run's error and skip reasons) is in the
site's language (LANGUAGE_CODE), whoever set the work off: a record every user reads, not
one request's answer. Pages and API answers built per request use the request's language;
both go through the same Chinese msgids, so the English catalogue translates either."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.utils import translation

Params = ParamSpec("Params")
Result = TypeVar("Result")


def site_language() -> translation.override:
    """`with site_language(): …` — gettext in LANGUAGE_CODE for the block."""
    return translation.override(settings.LANGUAGE_CODE)


def in_site_language(fn: Callable[Params, Result]) -> Callable[Params, Result]:
    """The decorated function's gettext calls are in LANGUAGE_CODE."""

    @functools.wraps(fn)
    def wrapper(*args: Params.args, **kwargs: Params.kwargs) -> Result:
        with site_language():
            return fn(*args, **kwargs)

    return wrapper
