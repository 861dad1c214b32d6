"""API plumbing shared by every app: the exception handler (nothing answers 500 for bad
input), the capability permission, and who-am-I."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from wuhai_coverage.core import access

log = logging.getLogger(__name__)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = drf_exception_handler(exc, context)
    if isinstance(exc, Throttled) and response is not None:
        wait = (
            exc.wait if exc.wait is not None else 60
        )  # DRF has already rounded it up; Retry-After says the same
        response.data = {"detail": f"请求过于频繁，请 {wait} 秒后重试 / too many requests, retry in {wait} s"}
    if response is None and isinstance(exc, DatabaseError):
        log.exception("database error in %s", context.get("view"))
        return Response(
            {"detail": "数据库暂时不可用，请稍后重试 / the database is unavailable, try again later"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    return response


def capability(cap: str) -> type[permissions.BasePermission]:
    """A DRF permission class for one capability of roles.py."""

    class HasCapability(permissions.BasePermission):
        message = f"您的角色无权执行此操作 / your role may not {cap}"

        def has_permission(self, request, view) -> bool:
            return access.has(request.user, cap)

    HasCapability.__name__ = f"Has_{cap}"
    return HasCapability


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField()
    district = serializers.CharField(allow_null=True)
    street = serializers.CharField(allow_null=True)
    department = serializers.CharField()
    capabilities = serializers.ListField(child=serializers.CharField())


class MeApi(APIView):
    """Who am I: role, jurisdiction and capabilities of the authenticated user."""

    serializer_class = MeSerializer

    def get(self, request):
        from wuhai_coverage.core.roles import capabilities_of

        u = request.user
        return Response(
            MeSerializer(
                {
                    "username": u.username,
                    "role": u.role,
                    "district": u.district_id,
                    "street": u.street_id,
                    "department": u.department,
                    "capabilities": sorted(capabilities_of(u.role)),
                }
            ).data
        )
