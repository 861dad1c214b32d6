"""The case pages, included under /cases/ by enforcement/urls.py (namespace enforcement)."""

from django.urls import path

from enforcement.cases import views

urlpatterns: list = [
    path("", views.case_list, name="cases"),
    path("new/", views.case_new, name="case-new"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/take/", views.case_take, name="case-take"),
    path("<int:pk>/violations/", views.case_violation, name="case-violation"),
    path("<int:pk>/violations/revoke/", views.case_violation_withdraw, name="case-violation-withdraw"),
    path("<int:pk>/findings/", views.case_finding, name="case-finding"),
    path("<int:pk>/attachments/", views.case_attachment, name="case-attachment"),
    path("<int:pk>/order/", views.case_order, name="case-order"),
    path("<int:pk>/penalty-notice/", views.case_penalty_notice, name="case-penalty-notice"),
    path("<int:pk>/rectified/", views.case_rectified, name="case-rectified"),
    path("<int:pk>/outcome/", views.case_outcome, name="case-outcome"),
    path("<int:pk>/note/", views.case_note, name="case-note"),
    path("<int:pk>/arrears/periods/", views.case_arrears_period, name="case-arrears-period"),
    path("<int:pk>/arrears/payments/", views.case_payment, name="case-payment"),
    path("<int:pk>/arrears/fine/", views.case_fine, name="case-fine"),
    path("<int:pk>/arrears.xlsx", views.case_arrears_xlsx, name="case-arrears-xlsx"),
    path("attachments/<int:pk>/", views.attachment_download, name="case-attachment-download"),
    path("documents/<int:pk>.pdf", views.document_pdf, name="case-document-pdf"),
]
