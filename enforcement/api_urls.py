from django.urls import path

from enforcement import api as tasks_api
from enforcement.api_runs import ComparisonRunDetailApi, ComparisonRunListApi

urlpatterns: list = [
    path("comparison-runs/", ComparisonRunListApi.as_view(), name="comparison-run-list"),
    path("comparison-runs/<int:pk>/", ComparisonRunDetailApi.as_view(), name="comparison-run-detail"),
    path("tasks/", tasks_api.TaskListApi.as_view(), name="api-tasks"),
    path("tasks/<int:pk>/", tasks_api.TaskDetailApi.as_view(), name="api-task"),
    path("tasks/<int:pk>/assign/", tasks_api.TaskAssignApi.as_view(), name="api-task-assign"),
    path("tasks/<int:pk>/contact/", tasks_api.TaskContactApi.as_view(), name="api-task-contact"),
    path("tasks/<int:pk>/notice/", tasks_api.TaskNoticeApi.as_view(), name="api-task-notice"),
    path("tasks/<int:pk>/rectify/", tasks_api.TaskRectifyApi.as_view(), name="api-task-rectify"),
    path("tasks/<int:pk>/dismiss/", tasks_api.TaskDismissApi.as_view(), name="api-task-dismiss"),
    path("tasks/<int:pk>/escalate/", tasks_api.TaskEscalateApi.as_view(), name="api-task-escalate"),
]
