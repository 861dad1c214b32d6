"""POST /api/v1/sms/receipts/ — the SMS provider's callback: delivery receipts and replies.

Authentication: a shared secret in the `X-Wuhai-Sms-Secret` header (setting
WUHAI_SMS_RECEIPT_SECRET, compared in constant time). The provider is not a portal user,
so no account or token is made for it, and no staff session or API key is accepted here:
without the header the answer is 401, with a wrong secret (or none configured) 403.

Body: {"receipts": [{"message_id": "<the id the gateway returned>", "status":
"delivered"|"failed", "error": "…", "at": "<ISO time>"}], "replies": [{"phone":
"13712345678", "text": "TD"}]}. A reply of TD/T/N/R/退订 (or containing 退订) puts its
phone on the opt-out list. Unknown message ids are counted, not refused (a receipt may
arrive for a message the portal never sent through this installation)."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from outreach.sms.services import receipts_apply
from wuhai_coverage.core.api import TextField
from wuhai_coverage.core.schema import ErrorSerializer
from wuhai_coverage.core.tokens import AnonThrottle

HEADER = "HTTP_X_WUHAI_SMS_SECRET"
MAX_ITEMS = 1000


class SmsGateway:
    """The authenticated caller of the receipt endpoint (not a portal user)."""

    pk = "sms-gateway"
    is_authenticated = True
    is_active = True
    role = "sms_gateway"


class SmsSecretAuthentication(BaseAuthentication):
    keyword = "X-Wuhai-Sms-Secret"

    def authenticate(self, request):
        given = request.META.get(HEADER)
        if given is None:
            return None  # → 401 (authenticate_header below)
        secret = settings.WUHAI_SMS_RECEIPT_SECRET
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            raise exceptions.PermissionDenied(_("回执密钥不正确"))
        return SmsGateway(), None

    def authenticate_header(self, request) -> str:
        return self.keyword


class IsSmsGateway(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.user, SmsGateway)


class SmsSecretScheme(OpenApiAuthenticationExtension):
    target_class = "outreach.sms.api.SmsSecretAuthentication"
    name = "smsReceiptSecret"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Wuhai-Sms-Secret"}


class ReceiptSerializer(serializers.Serializer):
    message_id = TextField(max_length=64)
    status = serializers.ChoiceField(choices=["delivered", "failed"])
    error = TextField(max_length=300, required=False, allow_blank=True)
    at = serializers.DateTimeField(required=False)


class ReplySerializer(serializers.Serializer):
    phone = TextField(max_length=20)
    text = TextField(max_length=500)


class ReceiptsSerializer(serializers.Serializer):
    receipts = serializers.ListField(child=ReceiptSerializer(), required=False, max_length=MAX_ITEMS)
    replies = serializers.ListField(child=ReplySerializer(), required=False, max_length=MAX_ITEMS)


class ReceiptsResultSerializer(serializers.Serializer):
    delivered = serializers.IntegerField()
    failed = serializers.IntegerField()
    unknown = serializers.IntegerField()
    opted_out = serializers.IntegerField()


class SmsReceiptsApi(APIView):
    authentication_classes = [SmsSecretAuthentication]
    permission_classes = [IsSmsGateway]
    throttle_classes = [AnonThrottle]  # only refused callers count: the gateway is not anonymous

    @extend_schema(
        request=ReceiptsSerializer,
        responses={
            200: ReceiptsResultSerializer,
            401: OpenApiResponse(ErrorSerializer, description="no X-Wuhai-Sms-Secret header"),
            403: OpenApiResponse(ErrorSerializer, description="wrong secret, or none configured"),
        },
    )
    def post(self, request):
        serializer = ReceiptsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        summary = receipts_apply(
            receipts=serializer.validated_data.get("receipts", []),
            replies=serializer.validated_data.get("replies", []),
        )
        return Response(ReceiptsResultSerializer(summary).data)
