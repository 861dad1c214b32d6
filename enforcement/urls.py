from django.urls import path  # noqa: F401

app_name = "enforcement"
urlpatterns: list = []

# --- The caseworker's portal (branch portal): dashboard, queue, task page, street work ---
from enforcement import views as portal_views  # noqa: E402

urlpatterns += [
    path("dashboard/", portal_views.dashboard, name="dashboard"),
    path("tasks/", portal_views.queue, name="queue"),
    path("tasks/export.xlsx", portal_views.export_xlsx, name="queue-export"),
    path("tasks/bulk-assign/", portal_views.bulk_assign, name="bulk-assign"),
    path("tasks/street/", portal_views.street_list, name="street"),
    path("tasks/<int:pk>/", portal_views.task_detail, name="task"),
    path("tasks/<int:pk>/visit/", portal_views.street_visit, name="street-visit"),
    path("tasks/<int:pk>/assign/", portal_views.task_assign, name="task-assign"),
    path("tasks/<int:pk>/contact/", portal_views.task_contact, name="task-contact"),
    path("tasks/<int:pk>/notice/", portal_views.task_notice, name="task-notice"),
    path("tasks/<int:pk>/rectify/", portal_views.task_rectify, name="task-rectify"),
    path("tasks/<int:pk>/dismiss/", portal_views.task_dismiss, name="task-dismiss"),
    path("tasks/<int:pk>/escalate/", portal_views.task_escalate, name="task-escalate"),
    path("tasks/<int:pk>/note/", portal_views.task_note, name="task-note"),
    path("tasks/<int:pk>/reveal/<str:field>/", portal_views.task_reveal, name="task-reveal"),
    path("notices/<int:pk>.pdf", portal_views.notice_pdf, name="notice-pdf"),
]
