from django.urls import path

from outreach import views
from outreach.sms.urls import urlpatterns as sms_urlpatterns

app_name = "outreach"
urlpatterns = [
    path("outreach/postings/", views.posting_list, name="postings"),
    path("outreach/postings/new/", views.posting_create, name="posting_create"),
    path("outreach/postings/<int:pk>/photo/", views.posting_photo, name="posting_photo"),
]
urlpatterns += sms_urlpatterns
