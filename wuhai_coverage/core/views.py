from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from wuhai_coverage.core import access
from wuhai_coverage.core.roles import capabilities_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: who I am, my jurisdiction, and where my work is."""
    return render(request, "core/home.html", {
        "jurisdiction": access.jurisdiction_of(request.user),
        "capabilities": sorted(capabilities_of(request.user.role)),
    })


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
