from django.urls import path

from enforcement.blacklist import api

urlpatterns: list = [
    path("", api.BlacklistFeedApi.as_view(), name="api-blacklist"),
    path("proposals/", api.BlacklistProposeApi.as_view(), name="api-blacklist-propose"),
    path("deliveries/", api.DeliveryListApi.as_view(), name="api-blacklist-deliveries"),
    path("deliveries/<int:pk>/ack/", api.DeliveryAckApi.as_view(), name="api-blacklist-delivery-ack"),
    path("<int:pk>/", api.BlacklistEntryApi.as_view(), name="api-blacklist-entry"),
    path("<int:pk>/notify/", api.BlacklistNotifyApi.as_view(), name="api-blacklist-notify"),
    path("<int:pk>/statement/", api.BlacklistStatementApi.as_view(), name="api-blacklist-statement"),
    path("<int:pk>/lapse/", api.BlacklistLapseApi.as_view(), name="api-blacklist-lapse"),
    path("<int:pk>/approve/", api.BlacklistApproveApi.as_view(), name="api-blacklist-approve"),
    path("<int:pk>/reject/", api.BlacklistRejectApi.as_view(), name="api-blacklist-reject"),
    path("<int:pk>/repair/", api.BlacklistRepairApi.as_view(), name="api-blacklist-repair"),
    path(
        "<int:pk>/repair-approve/",
        api.BlacklistRepairApproveApi.as_view(),
        name="api-blacklist-repair-approve",
    ),
    path(
        "<int:pk>/repair-reject/", api.BlacklistRepairRejectApi.as_view(), name="api-blacklist-repair-reject"
    ),
]
