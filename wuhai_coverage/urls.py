"""Root URLconf. Apps are included by dotted string so that this package imports no
app and the layers stay acyclic (style.md)."""
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

api_v1 = [
    path("", include("wuhai_coverage.core.api_urls")),
    path("", include("enrollment.api_urls")),
    path("", include("enforcement.api_urls")),
    path("", include("assessment.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]

urlpatterns = [
    path("", include("wuhai_coverage.core.urls")),
    path("", include("enrollment.urls")),
    path("", include("enforcement.urls")),
    path("", include("outreach.urls")),
    path("", include("assessment.urls")),
    path("api/v1/", include(api_v1)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]

handler404 = "wuhai_coverage.core.views.not_found"
handler500 = "wuhai_coverage.core.views.server_error"
