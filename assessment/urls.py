from django.urls import path

from assessment import views

app_name = "assessment"
urlpatterns = [
    path("assessment/", views.ranking, name="ranking"),
    path("assessment/export.xlsx", views.export_xlsx, name="export"),
    path("assessment/settings/", views.settings_page, name="settings"),
    path("assessment/districts/<str:code>/", views.district, name="district"),
    path("assessment/districts/<str:code>/<str:indicator>/", views.indicator_rows, name="rows"),
]
