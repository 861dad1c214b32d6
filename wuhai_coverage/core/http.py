"""Request helpers every view shares: the client's IP address and the `next` redirect.

- `client_ip(request)` — the address of the client. `X-Forwarded-For` is believed only
  when the request comes from a proxy listed in `TRUSTED_PROXIES` (settings, from
  `DJANGO_TRUSTED_PROXIES`; empty by default, so the header is ignored). A plain
  function of the request, so that other libraries can be given it as their client-IP
  callable (django-axes: `AXES_CLIENT_IP_CALLABLE = "wuhai_coverage.core.http.client_ip"`).
- `safe_next(request, default)` — a `next` parameter only when it stays on this site.
- `AuthedRequest` — the type of a request behind `login_required`: `request.user` is a
  `User`, never `AnonymousUser`, and `request.htmx` is django-htmx's details. Views
  annotate their request with it so that services get a `User` without a cast.
- `ForwardedHeadersMiddleware` — drops `X-Forwarded-*` headers that did not come
  from a trusted proxy, so that `SECURE_PROXY_SSL_HEADER` and anything else reading
  them cannot be fooled by a client talking to gunicorn directly.
"""

from __future__ import annotations

import functools
import ipaddress
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from wuhai_coverage.core.validators import fast_id_number

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from wuhai_coverage.core.models import User

FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


class AuthedRequest(HttpRequest):
    """A request that passed `login_required` (only for type checking; never instantiated)."""

    user: User
    htmx: HtmxDetails


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _ip(value: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None


def is_trusted_proxy(address: str | None) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in net for net in trusted_networks())


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or — only when REMOTE_ADDR is a trusted proxy —
    the right-most address of X-Forwarded-For that is not itself a trusted proxy (the
    left-most entries are whatever the client chose to send)."""
    remote = _ip(request.META.get("REMOTE_ADDR"))
    if remote is None:
        return None
    if not is_trusted_proxy(str(remote)):
        return str(remote)
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:
            break  # a malformed hop: nothing to its left can be believed
        if not is_trusted_proxy(str(ip)):
            return str(ip)
    return str(remote)


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` parameter (POST, then GET) when it is a path or URL of this site over an
    allowed scheme; otherwise `default`. `//evil.example/`, `https://evil.example/`,
    `/\\evil.example` and `javascript:` all give the default."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


class ForwardedHeadersMiddleware:
    """First in the chain: a request that did not come through a trusted proxy loses its
    X-Forwarded-* headers (a client could otherwise claim https or another address)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR")):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


def search_post_redirect(request: HttpRequest, *, url: str, person_pk_of, person_url=None) -> HttpResponse:
    """Post/redirect/get for a search form that may carry a whole ID number (portal.md: a
    person's key is never in a URL). The form posts; the answer is a redirect to the GET
    address with the same filters, where a whole ID number is replaced by the person's
    registry pk (`person_pk_of(text) → pk | None`, within the user's jurisdiction) — or
    by the person's own page, `person_url(pk)`, when given — or, when no such person is
    there, dropped with a message. Any other text stays as `q`."""
    params = request.POST.copy()
    params.pop("csrfmiddlewaretoken", None)
    text = (params.get("q") or "").strip()
    if text and fast_id_number(text):
        params.pop("q")
        pk = person_pk_of(text)
        if pk is None:
            messages.warning(request, _("您的辖区内没有该身份证号的人员。"))
        elif person_url is not None:
            return redirect(person_url(pk))
        else:
            params["person"] = str(pk)
    query = params.urlencode()
    return redirect(f"{url}?{query}" if query else url)
