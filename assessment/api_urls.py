from django.urls import path

from assessment.api import DistrictRankingApi

urlpatterns = [
    path("assessment/districts/", DistrictRankingApi.as_view(), name="api-assessment-districts"),
]
