from django.urls import include, path

from enforcement import views, views_runs
from enforcement.workdays import views as views_workdays

app_name = "enforcement"
urlpatterns: list = [
    # The comparison's runs and thresholds.
    path("comparison-runs/", views_runs.runs_list, name="runs"),
    path("comparison-runs/start/", views_runs.run_start, name="run-start"),
    path("comparison-runs/parameters/", views_runs.run_parameters, name="run-parameters"),
    path("comparison-runs/<int:pk>/", views_runs.run_detail, name="run-detail"),
    # The caseworker's portal: dashboard, queue, task page, street work.
    path("dashboard/", views.dashboard, name="dashboard"),
    path("tasks/", views.queue, name="queue"),
    path("tasks/export.xlsx", views.export_xlsx, name="queue-export"),
    path("tasks/bulk-assign/", views.bulk_assign, name="bulk-assign"),
    path("tasks/street/", views.street_list, name="street"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/visit/", views.street_visit, name="street-visit"),
    path("tasks/<int:pk>/call/", views.street_call, name="street-call"),
    path("tasks/<int:pk>/assign/", views.task_assign, name="task-assign"),
    path("tasks/<int:pk>/contact/", views.task_contact, name="task-contact"),
    path("tasks/<int:pk>/notice/", views.task_notice, name="task-notice"),
    path("tasks/<int:pk>/rectify/", views.task_rectify, name="task-rectify"),
    path("tasks/<int:pk>/dismiss/", views.task_dismiss, name="task-dismiss"),
    path("tasks/<int:pk>/escalate/", views.task_escalate, name="task-escalate"),
    path("tasks/<int:pk>/note/", views.task_note, name="task-note"),
    path("tasks/<int:pk>/reveal/<str:field>/", views.task_reveal, name="task-reveal"),
    path("notices/<int:pk>.pdf", views.notice_pdf, name="notice-pdf"),
    # The inspectors' enforcement cases (enforcement/cases/urls.py).
    path("cases/", include("enforcement.cases.urls")),
    # The working-day calendar (holidays, make-up workdays) that deadlines count by.
    path("enforcement/calendar/", views_workdays.work_calendar, name="work-calendar"),
    path("enforcement/calendar/delete/", views_workdays.work_calendar_delete, name="work-calendar-delete"),
]
