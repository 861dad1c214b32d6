from django.urls import path

from enrollment import views

app_name = "enrollment"
urlpatterns = [
    path("rosters/", views.deliveries, name="deliveries"),
    path("rosters/calendar/", views.calendar, name="calendar"),
    path("rosters/<int:pk>/", views.batch_detail, name="batch"),
    path("rosters/<int:pk>/errors.xlsx", views.batch_errors_xlsx, name="batch-errors-xlsx"),
]
