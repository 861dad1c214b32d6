"""The blacklist API (portal.md → Entry points → blacklist/):

- GET  /api/v1/blacklist/ — partners (READ_BLACKLIST): every listed entry with its
  measures; `updated_since=` (ISO 8601 datetime) for an incremental pull, removals
  included (status `removed`, `removed_at`) so that a partner lifts its measures;
- GET  /api/v1/blacklist/deliveries/, POST …/deliveries/{id}/ack/ — the delivery log;
- POST /api/v1/blacklist/proposals/ and /api/v1/blacklist/{id}/{step}/ — every step of the
  lifecycle through the same services as the pages (409 with the reason when the entry's
  state forbids it); GET /api/v1/blacklist/{id}/ — an entry with its timeline (staff)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enforcement.api import request_user
from enforcement.blacklist import selectors, services
from enforcement.blacklist.models import BlacklistDelivery
from enforcement.blacklist.vocabulary import Measure
from enforcement.models import BlacklistEntry, BlacklistEvent, EnforcementCase
from wuhai_coverage.core import access
from wuhai_coverage.core.api import ConfirmationField, TextField, capability
from wuhai_coverage.core.models import User
from wuhai_coverage.core.roles import PROPOSE_BLACKLIST, READ_BLACKLIST, REVIEW_BLACKLIST, VIEW_CASES
from wuhai_coverage.core.schema import ErrorSerializer


def any_capability(*caps: str) -> type[permissions.BasePermission]:
    """A DRF permission: any one of the capabilities (a step both roles may take)."""

    class HasAnyCapability(permissions.BasePermission):
        message = gettext_lazy("您的角色无权执行此操作")

        def has_permission(self, request, view) -> bool:
            return any(access.has(request.user, cap) for cap in caps)

    return HasAnyCapability


STATEMENT_ROLES = any_capability(PROPOSE_BLACKLIST, REVIEW_BLACKLIST)

CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description="the entry's status or dates do not allow this step now (the reason in `detail`)",
)
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="no such entry within the caller's reach")


class PublishedEntrySerializer(serializers.ModelSerializer):
    """What a partner needs to apply (or lift) joint punishment; the public columns plus
    status, removal and change time."""

    violation_label = serializers.CharField(source="get_violation_display")
    measures = serializers.ListField(child=serializers.ChoiceField(choices=Measure.choices))

    class Meta:
        model = BlacklistEntry
        fields: tuple[str, ...] = (
            "id",
            "status",
            "employer_name",
            "employer_uscc",
            "legal_representative",
            "violation",
            "violation_label",
            "legal_basis",
            "listed_on",
            "expires_on",
            "measures",
            "removed_at",
            "removal_reason",
            "updated_at",
        )
        read_only_fields = fields


class BlacklistEventSerializer(serializers.ModelSerializer):
    actor: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = BlacklistEvent
        fields = ("kind", "actor", "at", "data")
        read_only_fields = fields


class EntrySerializer(PublishedEntrySerializer):
    """An entry as bureau staff follow it: every field of the lifecycle and the timeline."""

    case = serializers.IntegerField(source="case_id", allow_null=True)
    events = BlacklistEventSerializer(many=True, read_only=True)

    class Meta(PublishedEntrySerializer.Meta):
        fields = (
            *PublishedEntrySerializer.Meta.fields,
            "case",
            "reason",
            "notice_number",
            "notified_at",
            "statement_deadline",
            "statement",
            "decision",
            "reviewed_at",
            "repair_applied_at",
            "events",
        )
        read_only_fields = fields


UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description="ISO 8601 datetime with an offset (e.g. 2026-06-01T00:00:00+08:00): only entries listed or "
    "changed since then, and those removed since then (status `removed`). Without it: every listed entry.",
)


def _updated_since(request: Request) -> dt.datetime | None:
    raw = (request.query_params.get("updated_since") or "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
        if value is not None:
            value = value if timezone.is_aware(value) else timezone.make_aware(value)
            value.astimezone(dt.UTC)  # the database compares in UTC: year 10000 is no date
    except (ValueError, OverflowError):
        value = None
    if value is None:
        raise ValidationError(
            {"updated_since": [_("应为 ISO 8601 日期时间，例如 2026-06-01T00:00:00+08:00")]}
        )
    return value


@extend_schema(parameters=[UPDATED_SINCE])
class BlacklistFeedApi(generics.ListAPIView):
    """The published list for partner departments, oldest change first (paginated)."""

    serializer_class = PublishedEntrySerializer
    permission_classes = [capability(READ_BLACKLIST)]
    filter_backends: list = []

    def get_queryset(self):
        return selectors.partner_feed(updated_since=_updated_since(self.request))


@extend_schema(responses={200: EntrySerializer, 404: NOT_FOUND})
class BlacklistEntryApi(generics.RetrieveAPIView):
    serializer_class = EntrySerializer
    permission_classes = [capability(VIEW_CASES)]

    def get_object(self) -> BlacklistEntry:
        return selectors.entry_get_for_user(user=request_user(self.request), pk=self.kwargs["pk"])


def _answer(entry: BlacklistEntry, *, code: int = status.HTTP_200_OK) -> Response:
    fresh = BlacklistEntry.objects.prefetch_related("events__actor").get(pk=entry.pk)
    return Response(EntrySerializer(fresh).data, status=code)


def _refusal(exc: services.BlacklistError) -> Response:
    code = status.HTTP_409_CONFLICT if isinstance(exc, services.BlacklistConflict) else 400
    return Response({"detail": str(exc)}, status=code)


class ProposeInput(serializers.Serializer):
    case = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="the enforcement case's id")
    legal_representative = TextField(max_length=80)
    reason = TextField(required=False, allow_blank=True, max_length=services.MAX_TEXT, default="")


@extend_schema(
    request=ProposeInput,
    responses={
        201: EntrySerializer,
        404: OpenApiResponse(ErrorSerializer, description="no such case"),
        409: CONFLICT,
    },
)
class BlacklistProposeApi(APIView):
    """An inspector proposes listing the employer of a case whose order passed unrectified."""

    permission_classes = [capability(PROPOSE_BLACKLIST)]

    def post(self, request: Request) -> Response:
        data = ProposeInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = request_user(request)
        cases = access.scope(EnforcementCase.objects.all(), user, street_field="")
        case = access.get_for_user(cases, user, street_field="", pk=data.validated_data.pop("case"))
        assert isinstance(case, EnforcementCase)
        try:
            entry = services.blacklist_propose(case=case, actor=user, **data.validated_data)
        except services.BlacklistError as exc:
            return _refusal(exc)
        return _answer(entry, code=status.HTTP_201_CREATED)


class _StepApi(APIView):
    """POST one step on an entry: 404 outside the reach, 400 on bad input, 409 when the
    entry's state forbids it; the entry with its timeline as the answer."""

    input_serializer: type[serializers.Serializer] = serializers.Serializer

    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        entry = selectors.entry_get_for_user(user=user, pk=pk)
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            self.perform(entry, user, dict(data.validated_data))
        except services.BlacklistError as exc:
            return _refusal(exc)
        return _answer(entry)

    def perform(self, entry: BlacklistEntry, user: Any, data: dict[str, Any]) -> object:  # pragma: no cover
        raise NotImplementedError


STEP_SCHEMA = extend_schema(responses={200: EntrySerializer, 404: NOT_FOUND, 409: CONFLICT})


class NoInput(serializers.Serializer):
    """Nothing to send (an empty JSON object)."""


class StatementInput(serializers.Serializer):
    statement = TextField(max_length=services.MAX_TEXT)


class DecisionInput(serializers.Serializer):
    decision = TextField(max_length=services.MAX_TEXT)


class ApproveInput(DecisionInput):
    measures = serializers.ListField(
        child=serializers.ChoiceField(choices=Measure.choices), min_length=1, max_length=len(Measure.values)
    )


REPAIR_NEEDS = gettext_lazy("信用修复须已整改违法行为并补缴欠费")


class RepairInput(serializers.Serializer):
    application = TextField(max_length=services.MAX_TEXT)
    rectified = ConfirmationField(message=REPAIR_NEEDS)
    paid = ConfirmationField(message=REPAIR_NEEDS)


@STEP_SCHEMA
@extend_schema(request=NoInput)
class BlacklistNotifyApi(_StepApi):
    """The prior notice (失信告知书 PDF) and the period to state its case."""

    permission_classes = [capability(PROPOSE_BLACKLIST)]
    input_serializer = NoInput

    def perform(self, entry, user, data):
        return services.blacklist_notify(entry=entry, actor=user)


@STEP_SCHEMA
@extend_schema(request=StatementInput)
class BlacklistStatementApi(_StepApi):
    """The employer's statement, within the period (its last day included)."""

    permission_classes = [STATEMENT_ROLES]
    input_serializer = StatementInput

    def perform(self, entry, user, data):
        return services.blacklist_record_statement(entry=entry, actor=user, **data)


@STEP_SCHEMA
@extend_schema(request=NoInput)
class BlacklistLapseApi(_StepApi):
    """The period passed without a statement: to review."""

    permission_classes = [STATEMENT_ROLES]
    input_serializer = NoInput

    def perform(self, entry, user, data):
        return services.blacklist_close_statement_period(entry=entry, actor=user)


@STEP_SCHEMA
@extend_schema(request=ApproveInput)
class BlacklistApproveApi(_StepApi):
    """A city manager lists the employer with a written decision and the measures."""

    permission_classes = [capability(REVIEW_BLACKLIST)]
    input_serializer = ApproveInput

    def perform(self, entry, user, data):
        return services.blacklist_approve(entry=entry, actor=user, **data)


@STEP_SCHEMA
@extend_schema(request=DecisionInput)
class BlacklistRejectApi(_StepApi):
    permission_classes = [capability(REVIEW_BLACKLIST)]
    input_serializer = DecisionInput

    def perform(self, entry, user, data):
        return services.blacklist_reject(entry=entry, actor=user, **data)


@STEP_SCHEMA
@extend_schema(request=RepairInput)
class BlacklistRepairApi(_StepApi):
    """The employer's credit-repair application (rectified and paid), recorded by an inspector."""

    permission_classes = [STATEMENT_ROLES]
    input_serializer = RepairInput

    def perform(self, entry, user, data):
        return services.blacklist_apply_repair(entry=entry, actor=user, **data)


@STEP_SCHEMA
@extend_schema(request=DecisionInput)
class BlacklistRepairApproveApi(_StepApi):
    """A city manager approves the credit repair: removed early."""

    permission_classes = [capability(REVIEW_BLACKLIST)]
    input_serializer = DecisionInput

    def perform(self, entry, user, data):
        return services.blacklist_approve_repair(entry=entry, actor=user, **data)


@STEP_SCHEMA
@extend_schema(request=DecisionInput)
class BlacklistRepairRejectApi(_StepApi):
    permission_classes = [capability(REVIEW_BLACKLIST)]
    input_serializer = DecisionInput

    def perform(self, entry, user, data):
        return services.blacklist_reject_repair(entry=entry, actor=user, **data)


class DeliverySerializer(serializers.ModelSerializer):
    entry = PublishedEntrySerializer(read_only=True)

    class Meta:
        model = BlacklistDelivery
        fields = ("id", "department", "change", "created_at", "acknowledged_at", "entry")
        read_only_fields = fields


PENDING = OpenApiParameter(
    "pending",
    OpenApiTypes.STR,
    enum=["true", "false", ""],
    description="true: only deliveries not yet acknowledged",
)


@extend_schema(parameters=[PENDING])
class DeliveryListApi(generics.ListAPIView):
    """The changes of the published list sent to the caller's department (a partner), or to
    every department (bureau staff), newest first."""

    serializer_class = DeliverySerializer
    permission_classes = [capability(READ_BLACKLIST)]
    filter_backends: list = []

    def get_queryset(self):
        pending = self.request.query_params.get("pending") or ""
        if pending not in ("true", "false", ""):
            raise ValidationError({"pending": [_("pending 应为 true 或 false")]})
        return selectors.deliveries_for(user=request_user(self.request), filters={"pending": pending})


@extend_schema(
    request=NoInput,
    responses={
        200: DeliverySerializer,
        404: OpenApiResponse(ErrorSerializer, description="no such delivery for the caller"),
        409: OpenApiResponse(ErrorSerializer, description="already acknowledged"),
    },
)
class DeliveryAckApi(APIView):
    """The partner confirms it applied (or lifted) its measures for this change."""

    permission_classes = [capability(READ_BLACKLIST)]

    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        delivery = selectors.delivery_get_for_user(user=user, pk=pk)
        try:
            delivery = services.delivery_acknowledge(delivery=delivery, actor=user)
        except services.BlacklistError as exc:
            return _refusal(exc)
        return Response(DeliverySerializer(delivery).data)
