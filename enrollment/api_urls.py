from django.urls import path

from enrollment.api import RosterDetailApi, RosterErrorsApi, RosterListApi

urlpatterns = [
    path("rosters/", RosterListApi.as_view(), name="api-rosters"),
    path("rosters/<int:pk>/", RosterDetailApi.as_view(), name="api-roster"),
    path("rosters/<int:pk>/errors/", RosterErrorsApi.as_view(), name="api-roster-errors"),
]
