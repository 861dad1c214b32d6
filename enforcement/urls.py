from django.urls import path  # noqa: F401

from enforcement import views_runs

app_name = "enforcement"
urlpatterns: list = [
    path("comparison-runs/", views_runs.runs_list, name="runs"),
    path("comparison-runs/start/", views_runs.run_start, name="run-start"),
    path("comparison-runs/parameters/", views_runs.run_parameters, name="run-parameters"),
    path("comparison-runs/<int:pk>/", views_runs.run_detail, name="run-detail"),
]
