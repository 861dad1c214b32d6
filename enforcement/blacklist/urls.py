from django.urls import path

from enforcement.blacklist import views

app_name = "blacklist"
urlpatterns: list = [
    path("", views.public_list, name="public"),
    path("export.csv", views.public_csv, name="public-csv"),
    path("export.xlsx", views.public_xlsx, name="public-xlsx"),
    path("manage/", views.manage, name="manage"),
    path("manage/propose/", views.propose, name="propose"),
    path("manage/<int:pk>/", views.entry_detail, name="entry"),
    path("manage/<int:pk>/notice.pdf", views.notice_pdf, name="notice-pdf"),
    path("manage/<int:pk>/<slug:step>/", views.entry_step, name="step"),
]
