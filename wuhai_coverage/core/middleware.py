"""Request-wide rules of the access layer."""
from __future__ import annotations

from django.shortcuts import render

from wuhai_coverage.core import access


class PartnerApiOnlyMiddleware:
    """A partner signed in through the browser gets 403 on every staff page: the rule is
    stated once here (access.may_use_path), not in each view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if not access.may_use_path(user, request.path_info):
            return render(request, "403.html", {"partner_only": True}, status=403)
        return self.get_response(request)
