from django.urls import path

from outreach import views
from outreach.pension import views as pension_views

app_name = "outreach"
urlpatterns = [
    path("outreach/postings/", views.posting_list, name="postings"),
    path("outreach/postings/new/", views.posting_create, name="posting_create"),
    path("outreach/postings/<int:pk>/photo/", views.posting_photo, name="posting_photo"),
    path("calculator/", pension_views.calculator, name="calculator"),
    path("calculator/parameters/", pension_views.parameters, name="calculator_parameters"),
]
