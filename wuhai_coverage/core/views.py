from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

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
