"""Response headers the portal adds to every answer of its own."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse


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
        if declared_public and not (user is not None and user.is_authenticated) and "Authorization" not in request.headers:
            return response
        response["Cache-Control"] = "no-store, private"
        response["Pragma"] = "no-cache"  # HTTP/1.0 proxies
        return response
