import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuhai_coverage.core import access
from wuhai_coverage.core.models import ApiToken
from wuhai_coverage.core.roles import MANAGE_ACCOUNTS
from wuhai_coverage.core.services import api_tokens_revoke

log = logging.getLogger(__name__)

# The role dashboards live in the enforcement app; core names the path only, so that
# it imports no app (the layers stay acyclic).
DASHBOARD_PATH = "/dashboard/"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The site root sends a signed-in user to the dashboard of their role."""
    return redirect(DASHBOARD_PATH)


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "未找到 / not found"}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "服务器内部错误 / internal error"}, status=500)
    return render(request, "500.html", status=500)


def locked_out(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
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
            "next": request.POST.get("next", ""),
        },
        status=429,
    )


# --- Accounts: API tokens and login lockouts, for city managers (manage_accounts). ---


def _require_manager(request: HttpRequest) -> None:
    access.require(request.user, MANAGE_ACCOUNTS)


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """Every API key by account: when issued, last used, expiry, state; revoke button."""
    _require_manager(request)
    rows = ApiToken.objects.select_related("user", "revoked_by").order_by(
        "user__role", "user__username", "-created_at"
    )
    show = request.GET.get("show", "active")
    if show != "all":
        rows = rows.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
    return render(request, "core/tokens.html", {"rows": rows, "show": show})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
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


@login_required
def lockouts(request: HttpRequest) -> HttpResponse:
    """Sign-ins locked by too many failures (username + address), with an unlock button."""
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt
    from django.conf import settings

    _require_manager(request)
    qs = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    cool_off = get_cool_off(request)
    if cool_off:
        qs = qs.filter(attempt_time__gt=timezone.now() - cool_off)
    rows = [
        {
            "pk": a.pk,
            "username": a.username,
            "ip": a.ip_address,
            "failures": a.failures_since_start,
            "at": a.attempt_time,
            "until": a.attempt_time + cool_off if cool_off else None,
        }
        for a in qs.order_by("-attempt_time")
    ]
    return render(request, "core/lockouts.html", {"rows": rows})


@login_required
@require_POST
def lockout_unlock(request: HttpRequest, pk: int) -> HttpResponse:
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
