from django.urls import path

from outreach.sms.api import SmsReceiptsApi

urlpatterns = [path("sms/receipts/", SmsReceiptsApi.as_view(), name="api-sms-receipts")]
