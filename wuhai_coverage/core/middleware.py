"""Request-wide rules: response headers the portal adds to every answer of its own, and
the access layer's one rule for partner accounts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wuhai_coverage.core import access


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response the portal's views produce (pages, API
    answers, XLSX exports, PDF notices): any of them may carry personal data, and a
    browser, proxy or shared computer must keep none of it. Static files never reach this
    middleware (WhiteNoise answers them first, cacheable). The only exception is a public
    page that explicitly declares itself `public` for an anonymous visitor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        declared_public = "public" in response.get("Cache-Control", "")
        if (
            declared_public
            and not (user is not None and user.is_authenticated)
            and "Authorization" not in request.headers
        ):
            return response
        response["Cache-Control"] = "no-store, private"
        response["Pragma"] = "no-cache"  # HTTP/1.0 proxies
        return response


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
