"""Request-wide rules: response headers the portal adds to every answer of its own, and
the access layer's one rule for partner accounts."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation

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


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """The portal's pages speak Simplified Chinese whatever the browser's Accept-Language
    says (a browser sends it unasked); English only when the user chose it (the language
    cookie that /i18n/setlang/ sets). Django's LocaleMiddleware would hand an
    English-language browser English. The API keeps honouring Accept-Language: a partner's
    program sends it only when it asks for a language (curl sends none)."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or ""
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else ""
        except LookupError:
            language = ""
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
