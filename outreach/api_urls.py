from django.urls import path

from outreach.pension.api import CalculatorApi

urlpatterns = [
    path("calculator/", CalculatorApi.as_view(), name="api-calculator"),
]
