from django.urls import path

from enforcement import api as tasks_api
from enforcement.api_runs import ComparisonRunDetailApi, ComparisonRunListApi
from enforcement.cases import api as cases_api

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
    path("cases/", cases_api.CaseListApi.as_view(), name="api-cases"),
    path("cases/<int:pk>/", cases_api.CaseDetailApi.as_view(), name="api-case"),
    path("cases/<int:pk>/take/", cases_api.CaseTakeApi.as_view(), name="api-case-take"),
    path("cases/<int:pk>/violations/", cases_api.CaseViolationApi.as_view(), name="api-case-violations"),
    path("cases/<int:pk>/findings/", cases_api.CaseFindingApi.as_view(), name="api-case-findings"),
    path("cases/<int:pk>/attachments/", cases_api.CaseAttachmentApi.as_view(), name="api-case-attachments"),
    path("cases/<int:pk>/order/", cases_api.CaseOrderApi.as_view(), name="api-case-order"),
    path("cases/<int:pk>/penalty-notice/", cases_api.CasePenaltyNoticeApi.as_view(), name="api-case-penalty"),
    path("cases/<int:pk>/rectified/", cases_api.CaseRectifiedApi.as_view(), name="api-case-rectified"),
    path("cases/<int:pk>/arrears/", cases_api.CaseArrearsApi.as_view(), name="api-case-arrears"),
    path(
        "cases/<int:pk>/arrears/periods/",
        cases_api.CaseArrearsPeriodApi.as_view(),
        name="api-case-arrears-periods",
    ),
    path("cases/<int:pk>/arrears/payments/", cases_api.CasePaymentApi.as_view(), name="api-case-payments"),
    path("cases/<int:pk>/arrears/fine/", cases_api.CaseFineApi.as_view(), name="api-case-fine"),
    path("cases/<int:pk>/outcome/", cases_api.CaseOutcomeApi.as_view(), name="api-case-outcome"),
]
