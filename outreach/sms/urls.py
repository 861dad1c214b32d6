"""SMS push pages, part of the outreach URLconf (namespace `outreach`)."""

from django.urls import path

from outreach.sms import views

urlpatterns = [
    path("outreach/sms/", views.campaign_list, name="sms_campaigns"),
    path("outreach/sms/new/", views.campaign_create, name="sms_campaign_create"),
    path("outreach/sms/opt-outs/", views.opt_out_list, name="sms_opt_outs"),
    path("outreach/sms/<int:pk>/", views.campaign_detail, name="sms_campaign"),
    path("outreach/sms/<int:pk>/send/", views.campaign_send, name="sms_campaign_send"),
]
