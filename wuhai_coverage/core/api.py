"""API plumbing shared by every app: the exception handler (nothing answers 500 for bad
input), the capability permission, and who-am-I."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from wuhai_coverage.core import access

log = logging.getLogger(__name__)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: a Django ValidationError is a 400; a 400's body always has the
    documented shape (core/schema.py → ValidationError); a 429 says how long to wait; a
    database error is a 503."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = drf_exception_handler(exc, context)
    if isinstance(exc, ValidationError) and response is not None:
        response.data = validation_error_body(response.data)
    if isinstance(exc, Throttled) and response is not None:
        # DRF has already rounded the wait up; Retry-After says the same.
        wait = getattr(exc, "wait", None) or 60  # the stubs omit Throttled.wait
        response.data = {"detail": _("请求过于频繁，请 %(wait)s 秒后重试") % {"wait": wait}}
    if response is None and isinstance(exc, DatabaseError):
        log.exception("database error in %s", context.get("view"))
        return Response(
            {"detail": _("数据库暂时不可用，请稍后重试")},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    return response


def validation_error_body(data: Any) -> dict[str, Any]:
    """{"detail": "one message"} or {"<field>": ["message", …]}: a bare list becomes
    `non_field_errors`, a bare message a one-item list, nested errors (a list or dict field)
    "field.key" entries."""
    if not isinstance(data, dict):
        return {api_settings.NON_FIELD_ERRORS_KEY: _messages(data)}
    body: dict[str, Any] = {}
    for key, value in data.items():
        if key == "detail":
            body[key] = " ".join(_messages(value))
        elif isinstance(value, dict):
            for inner, messages in validation_error_body(value).items():
                body[f"{key}.{inner}"] = _messages(messages)
        else:
            body[str(key)] = _messages(value)
    return body


def _messages(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [m for item in value for m in _messages(item)]
    if isinstance(value, dict):
        return [m for item in value.values() for m in _messages(item)]
    return [str(value)]


class TextField(serializers.CharField):
    """A CharField that takes what the schema says: a string (DRF's turns 0 into "0"), at
    most max_length long as sent (DRF's counts after trimming the spaces)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """`true` or `false` only (JSON, or the words in a form), as the schema says; DRF's
    BooleanField also takes 1, "0", "yes", "off"…"""

    TRUE_VALUES = {True, "true"}
    FALSE_VALUES = {False, "false"}
    NULL_VALUES: set[Any] = set()

    def to_internal_value(self, data: Any) -> bool:
        # Not a set lookup: 1 == True and 0 == False would pass as booleans.
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and data in ("true", "false"):
            return data == "true"
        self.fail("invalid", input=data)
        raise AssertionError("unreachable")  # self.fail raises


@extend_schema_field({"type": "boolean", "enum": [True]})
class ConfirmationField(StrictBooleanField):
    """A confirmation that must be `true` (the employer has rectified; it has paid): the
    schema says `enum: [true]`, and `false` is a 400 on the field with `message`."""

    def __init__(self, *, message: Any, **kwargs: Any) -> None:
        self.message = message
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> bool:
        value = super().to_internal_value(data)
        if value is not True:
            raise ValidationError(str(self.message))
        return value


class FormSerializer(serializers.Serializer):
    """The serializer of a multipart form. A field sent empty is refused like any other
    malformed value (DRF would read it as absent), as the schema says: `snapshot_date=`
    is not a date."""

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "getlist"):
            blank = [
                name
                for name, field in self.fields.items()
                if name in data and data.get(name) == "" and not getattr(field, "allow_blank", False)
            ]
            if blank:
                message = serializers.CharField.default_error_messages["blank"]
                raise ValidationError({name: [message] for name in blank})
        return super().to_internal_value(data)


def capability(cap: str) -> type[permissions.BasePermission]:
    """A DRF permission class for one capability of roles.py."""

    class HasCapability(permissions.BasePermission):
        message = gettext_lazy("您的角色无权执行此操作")

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
