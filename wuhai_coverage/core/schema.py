"""The OpenAPI schema's general rules (settings: DEFAULT_SCHEMA_CLASS), so that every
operation tells the truth without each view repeating it:

- the error answers every operation can give are documented, in the shape the exception
  handler (core/api.py) really sends: `Error` {"detail": "…"} and, for 400,
  `ValidationError` {"<field>": ["…"], "detail": "…"};
- a choice that a model field allows to be blank has "" in its enum (a task's
  `resolution` is "" until it is closed);
- a text field of a request says what DRF refuses: no NUL character anywhere, and at
  least one non-space character where blank is not allowed (DRF trims first);
- every query parameter may be sent empty (`?status=`): the API reads an empty query
  parameter as an absent one.

What only one view knows (a 409 when the task's status forbids the action, a 202 when a
run is queued) stays in that view's `@extend_schema`; what it declares wins.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """Every error answer but a 400: one message, in the language of the request
    (Accept-Language; Chinese by default)."""

    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """A 400 (mapped by the extension below: a serializer cannot say additionalProperties)."""


class _ValidationErrorScheme(OpenApiSerializerExtension):
    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        return {
            "type": "object",
            "description": "The request is invalid. Each invalid body field or query parameter "
            "names its messages; `detail` is one message about the request as a whole; "
            "`non_field_errors` are about a combination of fields.",
            "properties": {
                "detail": {"type": "string"},
                "non_field_errors": {"type": "array", "items": {"type": "string"}},
            },
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "example": {"page_size": ["每页条数应为 1 到 1000 之间的整数"]},
        }


_VALIDATION = OpenApiResponse(
    ValidationErrorSerializer, description="invalid input: a body field or query parameter"
)
_UNAUTHENTICATED = OpenApiResponse(
    ErrorSerializer,
    description="no credentials, or an invalid, expired or revoked API key (`Authorization: Token <key>`)",
)
_FORBIDDEN = OpenApiResponse(
    ErrorSerializer, description="the caller's role may not do this (or, signed in by session: no CSRF token)"
)
_NOT_FOUND = OpenApiResponse(
    ErrorSerializer,
    description="no such object in the caller's jurisdiction, or a page past the last one",
)
_NOT_ACCEPTABLE = OpenApiResponse(ErrorSerializer, description="the `Accept` header excludes JSON")
_UNSUPPORTED_MEDIA = OpenApiResponse(
    ErrorSerializer, description="the body's Content-Type is not the one documented for this operation"
)
_THROTTLED = OpenApiResponse(
    ErrorSerializer, description="too many requests (or too many wrong API keys): wait `Retry-After` seconds"
)
_UNAVAILABLE = OpenApiResponse(ErrorSerializer, description="the database is unavailable: try again later")

_HEADERS = {
    "401": {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "`Token`: the scheme to use"}},
    "429": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds to wait"}},
}


def _spaces_class() -> str:
    """Every character str.strip() removes (what DRF trims), as a regex class body in a
    syntax both ECMAScript and Python read. The last of them is U+3000."""
    chars = [chr(c) for c in range(0x3001) if chr(c).isspace()]
    return "".join(f"\\u{ord(c):04x}" for c in chars)


_NUL = "\\u0000"
ANY_TEXT = f"^[^{_NUL}]*$"
NON_BLANK_TEXT = f"^[^{_NUL}]*[^{_NUL}{_spaces_class()}][^{_NUL}]*$"


def _model_field_blank(field: serializers.Field) -> bool:
    """True when `field` reads a model field declared blank=True (a ModelSerializer's
    read-only ChoiceField loses allow_blank, the enum then misses "")."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or len(field.source_attrs) != 1:
        return False
    try:
        return bool(model._meta.get_field(field.source_attrs[0]).blank)
    except FieldDoesNotExist:
        return False


class PortalAutoSchema(AutoSchema):
    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False) -> Any:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if not isinstance(schema, dict):
            return schema
        if isinstance(field, serializers.ChoiceField) and "enum" in schema:
            if "" not in schema["enum"] and (field.allow_blank or _model_field_blank(field)):
                schema["enum"] = [*schema["enum"], ""]
        elif (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and not field.read_only
            and not {"pattern", "format", "enum"} & schema.keys()
        ):
            blank_ok = field.allow_blank or not field.trim_whitespace
            schema["pattern"] = ANY_TEXT if blank_ok else NON_BLANK_TEXT
        return schema

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                parameter["allowEmptyValue"] = True
        declared = operation["responses"]
        for code, response in self._error_responses(operation).items():
            documented = self._get_response_for_code(response, code)
            if code in _HEADERS:
                documented["headers"] = _HEADERS[code]
            if code not in declared:
                declared[code] = documented
            elif "content" not in declared[code]:  # a view's own description, without the shape
                declared[code] = {**documented, "description": declared[code].get("description", "")}
        operation["responses"] = dict(sorted(declared.items()))
        return operation

    def _error_responses(self, operation: dict[str, Any]) -> dict[str, OpenApiResponse]:
        where = {parameter["in"] for parameter in operation.get("parameters", [])}
        names = {parameter["name"] for parameter in operation.get("parameters", [])}
        body = "requestBody" in operation
        anonymous_ok = {} in operation.get("security", [{}])
        errors: dict[str, OpenApiResponse] = {}
        if body or "query" in where:
            errors["400"] = _VALIDATION
        if not anonymous_ok:
            errors["401"] = _UNAUTHENTICATED
            errors["403"] = _FORBIDDEN
        if "path" in where or "page" in names:
            errors["404"] = _NOT_FOUND
        errors["406"] = _NOT_ACCEPTABLE
        if body:
            errors["415"] = _UNSUPPORTED_MEDIA
        errors["429"] = _THROTTLED
        errors["503"] = _UNAVAILABLE
        return errors
