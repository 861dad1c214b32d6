from django.urls import path

from enforcement.api_runs import ComparisonRunDetailApi, ComparisonRunListApi

urlpatterns: list = [
    path("comparison-runs/", ComparisonRunListApi.as_view(), name="comparison-run-list"),
    path("comparison-runs/<int:pk>/", ComparisonRunDetailApi.as_view(), name="comparison-run-detail"),
]
