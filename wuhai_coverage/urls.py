"""Root URLconf. Apps are included by dotted string so that this package imports no
app and the layers stay acyclic (style.md)."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

api_v1: list[URLPattern | URLResolver] = [
    path("", include("wuhai_coverage.core.api_urls")),
    path("", include("enrollment.api_urls")),
    path("", include("enforcement.api_urls")),
    path("blacklist/", include("enforcement.blacklist.api_urls")),
    path("", include("assessment.api_urls")),
    path("", include("outreach.api_urls")),
    path("", include("outreach.sms.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's init script as a file (?script), not inline: CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("", include("wuhai_coverage.core.urls")),
    path("", include("enrollment.urls")),
    path("", include("enforcement.urls")),
    path("blacklist/", include("enforcement.blacklist.urls")),
    path("", include("outreach.urls")),
    path("", include("assessment.urls")),
    path("api/v1/", include(api_v1)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Uploaded and generated files (MEDIA_ROOT: notices, roster files, posting photos) are never
# served as /media/, not even with DEBUG on: each kind has a view that checks the user's
# capability and jurisdiction (notices/<n>.pdf, outreach/postings/<n>/photo/); raw roster
# files, which hold full ID numbers, are not downloadable at all (docs/security.md).

handler403 = "wuhai_coverage.core.views.permission_denied"
handler404 = "wuhai_coverage.core.views.not_found"
handler500 = "wuhai_coverage.core.views.server_error"
