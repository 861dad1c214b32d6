import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuhai_coverage.core import access
from wuhai_coverage.core.http import AuthedRequest, safe_next
from wuhai_coverage.core.models import ApiToken
from wuhai_coverage.core.roles import MANAGE_ACCOUNTS, PUSH_ROSTERS
from wuhai_coverage.core.selectors import api_tokens_list, lockouts_list
from wuhai_coverage.core.services import api_token_issue, api_tokens_revoke

log = logging.getLogger(__name__)

# The role dashboards live in the enforcement app; core names the path only, so that
# it imports no app (the layers stay acyclic).
DASHBOARD_PATH = "/dashboard/"


def home(request: HttpRequest) -> HttpResponse:
    """The site root: a public front page linking the public pages and the login for a
    visitor; a signed-in user goes on to the dashboard of their role."""
    if request.user.is_authenticated:
        return redirect(DASHBOARD_PATH)
    return render(request, "core/front.html")


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links: send them to the static icon
    (resolved per request, so that the hashed name of the static manifest is used)."""
    return redirect(static("img/favicon.svg"), permanent=True)


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


# --- Error pages: Chinese first, each saying why and linking back (handler403/404/500,
# CSRF_FAILURE_VIEW). The API answers JSON in DRF's shape instead. ---


def _back_url(request: HttpRequest) -> str:
    """Where "back" goes: the page the visitor came from when it is on this site, else home."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("您没有执行该操作的权限。")}, status=403)
    return render(request, "403.html", {"back": _back_url(request)}, status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without (or with a stale) security token: usually a page left open
    across a sign-in or sign-out, or cookies blocked. Say so, in the user's language."""
    log.info("CSRF failure on %s: %s", request.path, reason)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("CSRF 校验失败：请刷新页面后重试。")}, status=403)
    return render(request, "403.html", {"csrf": True, "back": _back_url(request)}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("未找到。")}, status=404)
    return render(request, "404.html", {"back": _back_url(request)}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("服务器内部错误。")}, status=500)
    # A page of its own that needs neither the database nor the session (they may be
    # what failed): no base template, no user.
    return render(request, "500.html", status=500)


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): the login page again, with
    why and for how long, status 429."""
    from axes.helpers import get_cool_off
    from django.conf import settings

    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else 0
    form = AuthenticationForm(request)
    return render(
        request,
        "registration/login.html",
        {
            "form": form,
            "locked_out": True,
            "lockout_minutes": minutes,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "next": safe_next(request, ""),
        },
        status=429,
    )


# --- Accounts: API tokens and login lockouts, for city managers (manage_accounts). ---


def _require_manager(request: AuthedRequest) -> None:
    access.require(request.user, MANAGE_ACCOUNTS)


@login_required
def tokens(request: AuthedRequest) -> HttpResponse:
    """Every API key by account: when issued, last used, expiry, state; revoke button."""
    _require_manager(request)
    show = request.GET.get("show", "active")
    return render(request, "core/tokens.html", {"rows": api_tokens_list(show=show), "show": show})


@login_required
@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk)
    if api_tokens_revoke(user=token.user, actor=request.user, pk=token.pk):
        messages.success(
            request,
            _("已吊销 %(user)s 的令牌 %(prefix)s…") % {"user": token.user.username, "prefix": token.prefix},
        )
    else:
        messages.info(request, _("该令牌已吊销或已过期。"))
    return redirect("core:tokens")


# --- A partner's own API keys (on its home: issue a new key, revoke one). ---


@login_required
@require_POST
def own_token_issue(request: AuthedRequest) -> HttpResponse:
    """A new key for the signed-in partner, shown once on this answer (never stored in
    clear, never sent again). Earlier keys keep working until revoked or expired."""
    access.require(request.user, PUSH_ROSTERS)
    key = api_token_issue(username=request.user.username, actor=request.user)
    log.info("API key %s… issued by %s for itself", key[:8], request.user.username)
    return render(
        request, "core/token_issued.html", {"key": key, "api_root": request.build_absolute_uri("/api/v1/")}
    )


@login_required
@require_POST
def own_token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    access.require(request.user, PUSH_ROSTERS)
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)  # another's key: 404
    if api_tokens_revoke(user=request.user, actor=request.user, pk=token.pk):
        messages.success(request, _("已吊销令牌 %(prefix)s…") % {"prefix": token.prefix})
    else:
        messages.info(request, _("该令牌已吊销或已过期。"))
    return redirect(DASHBOARD_PATH)


@login_required
def lockouts(request: AuthedRequest) -> HttpResponse:
    """Sign-ins locked by too many failures (username + address), with an unlock button."""
    from axes.helpers import get_cool_off

    _require_manager(request)
    return render(request, "core/lockouts.html", {"rows": lockouts_list(cool_off=get_cool_off(request))})


@login_required
@require_POST
def lockout_unlock(request: AuthedRequest, pk: int) -> HttpResponse:
    from axes.models import AccessAttempt
    from axes.utils import reset

    _require_manager(request)
    attempt = get_object_or_404(AccessAttempt, pk=pk)
    reset(username=attempt.username, ip=attempt.ip_address)
    log.info(
        "login lockout of %s from %s lifted by %s",
        attempt.username,
        attempt.ip_address,
        request.user.username,
    )
    messages.success(
        request, _("已解锁 %(user)s（%(ip)s）。") % {"user": attempt.username, "ip": attempt.ip_address}
    )
    return redirect("core:lockouts")
