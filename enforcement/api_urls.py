from django.urls import path  # noqa: F401

urlpatterns: list = []

# --- The tasks API (branch portal) ---
from enforcement import api as portal_api  # noqa: E402

urlpatterns += [
    path("tasks/", portal_api.TaskListApi.as_view(), name="api-tasks"),
    path("tasks/<int:pk>/", portal_api.TaskDetailApi.as_view(), name="api-task"),
    path("tasks/<int:pk>/assign/", portal_api.TaskAssignApi.as_view(), name="api-task-assign"),
    path("tasks/<int:pk>/contact/", portal_api.TaskContactApi.as_view(), name="api-task-contact"),
    path("tasks/<int:pk>/notice/", portal_api.TaskNoticeApi.as_view(), name="api-task-notice"),
    path("tasks/<int:pk>/rectify/", portal_api.TaskRectifyApi.as_view(), name="api-task-rectify"),
    path("tasks/<int:pk>/dismiss/", portal_api.TaskDismissApi.as_view(), name="api-task-dismiss"),
    path("tasks/<int:pk>/escalate/", portal_api.TaskEscalateApi.as_view(), name="api-task-escalate"),
]
