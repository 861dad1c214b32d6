from django.urls import path

from outreach import views
from outreach.disclosure import views as disclosure
from outreach.events import views as events
from outreach.pension import views as pension_views
from outreach.sms.urls import urlpatterns as sms_urlpatterns

app_name = "outreach"
urlpatterns = [
    path("outreach/postings/", views.posting_list, name="postings"),
    path("outreach/postings/new/", views.posting_create, name="posting_create"),
    path("outreach/postings/<int:pk>/photo/", views.posting_photo, name="posting_photo"),
    # Employer disclosure: the public table and certificate; staff documents.
    path("disclosure/", disclosure.public_table, name="disclosure"),
    path("disclosure/<str:uscc>.pdf", disclosure.public_certificate, name="disclosure_certificate"),
    path("outreach/disclosure/", disclosure.document_list, name="disclosure_documents"),
    path("outreach/disclosure/new/", disclosure.document_upload, name="disclosure_upload"),
    path("outreach/disclosure/<int:pk>/document/", disclosure.document_file, name="disclosure_file"),
    # Events and their month calendar.
    path("outreach/events/", events.calendar, name="events"),
    path("outreach/events/new/", events.event_create, name="event_create"),
    path("outreach/events/<int:pk>/", events.event_detail, name="event_detail"),
    path("outreach/events/photos/<int:pk>/", events.event_photo, name="event_photo"),
    path("calculator/", pension_views.calculator, name="calculator"),
    path("calculator/parameters/", pension_views.parameters, name="calculator_parameters"),
]
urlpatterns += sms_urlpatterns
