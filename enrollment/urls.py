from django.urls import path

from enrollment import views

app_name = "enrollment"
urlpatterns = [
    path("rosters/", views.deliveries, name="deliveries"),
    path("rosters/calendar/", views.calendar, name="calendar"),
    path("rosters/<int:pk>/", views.batch_detail, name="batch"),
    path("rosters/<int:pk>/errors.xlsx", views.batch_errors_xlsx, name="batch-errors-xlsx"),
    path("employers/", views.employer_list, name="employers"),
    path("employers/<str:uscc>/", views.employer_detail, name="employer"),
    path("persons/", views.person_list, name="persons"),
    path("persons/<int:pk>/", views.person_detail, name="person"),
    path("persons/<int:pk>/tasks/", views.person_tasks, name="person-tasks"),
    path("persons/<int:pk>/reveal/<str:field>/", views.person_reveal, name="person-reveal"),
]
