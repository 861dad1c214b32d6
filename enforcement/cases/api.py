"""The cases API: GET /api/v1/cases/ (filters as the page's), GET /api/v1/cases/{id}/,
POST /api/v1/cases/ (open) and one POST action per step, through the same services,
permissions and 409s as the pages. 400/401/403/404 are documented for every operation by
core/schema.py; 409 here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enforcement.api import request_user
from enforcement.cases import selectors, services
from enforcement.cases.models import (
    CaseArrearsPeriod,
    CaseAttachment,
    CaseDocument,
    CaseFinding,
    CaseFine,
    CaseOutcome,
    CasePayment,
    CaseViolation,
    FindingSource,
    ViolationKind,
)
from enforcement.models import CaseEvent, EnforcementCase
from wuhai_coverage.core.api import FormSerializer, TextField, capability
from wuhai_coverage.core.filters import FilterError
from wuhai_coverage.core.roles import MANAGE_CASES, VIEW_CASES
from wuhai_coverage.core.schema import ErrorSerializer

MAX_TEXT = services.MAX_TEXT


class ViolationSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseViolation
        fields = (
            "id",
            "kind",
            "period_from",
            "period_to",
            "description",
            "recorded_at",
            "withdrawn_at",
            "withdrawn_reason",
        )


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseFinding
        fields = (
            "id",
            "source",
            "period",
            "verified_headcount",
            "verified_monthly_base",
            "declared_headcount",
            "declared_monthly_base",
            "note",
            "recorded_at",
        )


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = CaseAttachment
        fields = (
            "id",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "description",
            "uploaded_at",
            "url",
        )

    def get_url(self, obj: CaseAttachment) -> str:
        return f"/cases/attachments/{obj.pk}/"


class DocumentSerializer(serializers.ModelSerializer):
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = CaseDocument
        fields = (
            "id",
            "kind",
            "number",
            "addressee",
            "facts",
            "legal_basis",
            "decision",
            "deadline",
            "issuing_office",
            "issued_at",
            "pdf_url",
        )

    def get_pdf_url(self, obj: CaseDocument) -> str:
        return f"/cases/documents/{obj.pk}.pdf"


class ArrearsPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseArrearsPeriod
        fields = ("id", "period", "owed", "source", "finding", "recorded_at")


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = CasePayment
        fields = ("id", "paid_on", "amount", "reference", "recorded_at")


class FineSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseFine
        fields = ("id", "amount", "unpaid", "as_of", "reason", "recorded_at")


class CaseEventSerializer(serializers.ModelSerializer):
    actor: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    data = serializers.JSONField()  # type: ignore[assignment]  # the model field, not Serializer.data

    class Meta:
        model = CaseEvent
        fields = ("id", "kind", "actor", "at", "data")


class CaseSummarySerializer(serializers.ModelSerializer):
    case_type = serializers.CharField(read_only=True, help_text=", ".join(EnforcementCase.CaseType.values))
    status = serializers.CharField(read_only=True, help_text=", ".join(EnforcementCase.Status.values))
    district_code = serializers.CharField(source="district_id", allow_null=True)
    inspector: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = EnforcementCase
        fields: tuple[str, ...] = (
            "id",
            "case_type",
            "status",
            "employer_uscc",
            "employer_name",
            "district_code",
            "inspector",
            "task",
            "opened_at",
            "order_deadline",
            "outcome_kind",
            "outcome",
            "closed_at",
        )
        read_only_fields: tuple[str, ...] = fields


class CaseFileSerializer(CaseSummarySerializer):
    violations = ViolationSerializer(many=True, read_only=True)
    findings = FindingSerializer(many=True, read_only=True, source="case_findings")
    attachments = AttachmentSerializer(many=True, read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)
    events = CaseEventSerializer(many=True, read_only=True)
    arrears_periods = ArrearsPeriodSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    fines = FineSerializer(many=True, read_only=True)

    class Meta(CaseSummarySerializer.Meta):
        fields: tuple[str, ...] = (
            *CaseSummarySerializer.Meta.fields,
            "violations",
            "findings",
            "attachments",
            "documents",
            "events",
            "arrears_periods",
            "payments",
            "fines",
        )
        read_only_fields: tuple[str, ...] = fields


def _detail(case: EnforcementCase) -> dict[str, Any]:
    fresh = EnforcementCase.objects.select_related("inspector").get(pk=case.pk)
    return CaseFileSerializer(fresh).data


_FILTERS = [
    OpenApiParameter("view", OpenApiTypes.STR, enum=[*selectors.VIEWS, ""]),
    OpenApiParameter("status", OpenApiTypes.STR, enum=[*EnforcementCase.Status.values, ""]),
    OpenApiParameter("case_type", OpenApiTypes.STR, enum=[*EnforcementCase.CaseType.values, ""]),
    OpenApiParameter("district", OpenApiTypes.STR, pattern=r"^(\d{6})?$"),
    OpenApiParameter("q", {"type": "string", "maxLength": 100}, description="name, or a USCC prefix"),
]
CONFLICT = OpenApiResponse(ErrorSerializer, description="the case's status does not allow this step now")


class CaseOpenInput(serializers.Serializer):
    uscc = TextField(min_length=18, max_length=18)
    case_type = serializers.ChoiceField(choices=EnforcementCase.CaseType.choices)
    name = TextField(
        required=False,
        allow_blank=True,
        max_length=200,
        default="",
        help_text="only for an employer not in the registry",
    )
    note = TextField(required=False, allow_blank=True, max_length=MAX_TEXT, default="")


class CaseListApi(generics.ListCreateAPIView):
    """Cases in the caller's jurisdiction, newest first, paginated. POST opens a case
    (inspectors)."""

    serializer_class = CaseSummarySerializer
    filter_backends: list = []

    def get_permissions(self) -> list:
        cap = MANAGE_CASES if self.request.method == "POST" else VIEW_CASES
        return [capability(cap)()]

    def get_queryset(self) -> QuerySet[EnforcementCase]:
        try:
            return selectors.case_list(
                user=request_user(self.request), filters=self.request.query_params.dict()
            )
        except FilterError as exc:
            raise ValidationError(exc.errors) from None

    @extend_schema(parameters=_FILTERS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=CaseOpenInput, responses={201: CaseFileSerializer, 409: CONFLICT})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = CaseOpenInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            case = services.case_open(actor=request_user(request), **data.validated_data)
        except services.CaseConflict as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except services.CaseError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(_detail(case), status=status.HTTP_201_CREATED)


class CaseDetailApi(generics.RetrieveAPIView):
    serializer_class = CaseFileSerializer
    permission_classes = [capability(VIEW_CASES)]

    def get_object(self) -> EnforcementCase:
        return selectors.case_get_for_user(user=request_user(self.request), pk=self.kwargs["pk"])


class _CaseActionApi(APIView):
    """POST a step on a case: 404 outside the jurisdiction, 403 without manage_cases, 400
    on bad input, 409 when the case's status does not allow it; the case as the answer."""

    permission_classes = [capability(MANAGE_CASES)]
    input_serializer: type[serializers.Serializer]

    def post(self, request: Request, pk: int) -> Response:
        case = selectors.case_get_for_user(user=request_user(request), pk=pk)
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            self.perform(case, data.validated_data)
        except services.CaseConflict as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except services.CaseError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(_detail(case), status=status.HTTP_200_OK)

    def perform(self, case: EnforcementCase, data: dict[str, Any]) -> Any:  # pragma: no cover
        raise NotImplementedError


def _action(input_serializer: type[serializers.Serializer], doc: str):
    return extend_schema(
        request=input_serializer, responses={200: CaseFileSerializer, 409: CONFLICT}, description=doc
    )


class EmptyInput(serializers.Serializer):
    pass


@_action(EmptyInput, "The caller (an inspector) takes the case.")
class CaseTakeApi(_CaseActionApi):
    input_serializer = EmptyInput

    def perform(self, case: EnforcementCase, data: dict[str, Any]) -> Any:
        user = request_user(self.request)
        return services.case_assign(case=case, actor=user, inspector=user)


class ViolationInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ViolationKind.values)
    description = TextField(max_length=MAX_TEXT)
    period_from = serializers.DateField(required=False, allow_null=True, default=None)
    period_to = serializers.DateField(required=False, allow_null=True, default=None)


@_action(ViolationInput, "Record a violation (one live violation per kind).")
class CaseViolationApi(_CaseActionApi):
    input_serializer = ViolationInput

    def perform(self, case: EnforcementCase, data: dict[str, Any]) -> Any:
        return services.case_record_violation(case=case, actor=request_user(self.request), **data)


class FindingInput(serializers.Serializer):
    source = serializers.ChoiceField(choices=FindingSource.values)  # type: ignore[assignment]  # a field named "source"
    period = serializers.DateField(help_text="any day of the month; kept as its first day")
    verified_headcount = serializers.IntegerField(min_value=0, max_value=1_000_000)
    verified_monthly_base = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    declared_headcount = serializers.IntegerField(
        min_value=0, max_value=1_000_000, required=False, allow_null=True, default=None
    )
    declared_monthly_base = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    note = TextField(required=False, allow_blank=True, max_length=MAX_TEXT, default="")


@_action(FindingInput, "Record an audit finding for a month; an open case becomes auditing.")
class CaseFindingApi(_CaseActionApi):
    input_serializer = FindingInput

    def perform(self, case: EnforcementCase, data: dict[str, Any]) -> Any:
        return services.case_record_finding(case=case, actor=request_user(self.request), **data)


class AttachmentInput(FormSerializer):
    file = serializers.FileField(help_text="PDF, JPEG, PNG or XLSX (by content), size-limited")
    description = TextField(required=False, allow_blank=True, max_length=200, default="")


@extend_schema(
    request={"multipart/form-data": AttachmentInput},
    responses={200: CaseFileSerializer, 409: CONFLICT},
    description="Attach evidence (multipart).",
)
class CaseAttachmentApi(_CaseActionApi):
    input_serializer = AttachmentInput
    parser_classes = [MultiPartParser]

    def perform(self, case: EnforcementCase, data: dict[str, Any]) -> Any:
        return services.case_add_attachment(
            case=case, actor=request_user(self.request), upload=data["file"], description=data["description"]
        )


class OrderInput(serializers.Serializer):
    working_days = serializers.IntegerField(
        min_value=1, max_value=services.ORDER_MAX_WORKING_DAYS, default=services.ORDER_DEFAULT_WORKING_DAYS
    )
    issuing_office = TextField(required=False, allow_blank=True, max_length=120, default="")


@_action(OrderInput, "Issue the 限期改正指令书 (needs a violation); the case becomes order_issued.")
class CaseOrderApi(_CaseActionApi):
    input_serializer = OrderInput

    def perform(self, case: EnforcementCase, data: dict[str, Any]) -> Any:
        return services.case_issue_order(case=case, actor=request_user(self.request), **data)


class PenaltyNoticeInput(serializers.Serializer):
    proposed_fine = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=services.PENALTY_MAX_FINE,
        required=False,
        allow_null=True,
        default=None,
    )
    issuing_office = TextField(required=False, allow_blank=True, max_length=120, default="")


@_action(PenaltyNoticeInput, "Issue the 行政处罚事先告知书 (an unrectified case).")
class CasePenaltyNoticeApi(_CaseActionApi):
    input_serializer = PenaltyNoticeInput

    def perform(self, case: EnforcementCase, data: dict[str, Any]) -> Any:
        return services.case_issue_penalty_notice(case=case, actor=request_user(self.request), **data)


class RectifiedInput(serializers.Serializer):
    what_changed = TextField(max_length=MAX_TEXT)


@_action(RectifiedInput, "The employer put it right (order_issued or unrectified → rectified).")
class CaseRectifiedApi(_CaseActionApi):
    input_serializer = RectifiedInput

    def perform(self, case: EnforcementCase, data: dict[str, Any]) -> Any:
        return services.case_mark_rectified(case=case, actor=request_user(self.request), **data)


class OutcomeInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CaseOutcome.choices)
    note = TextField(required=False, allow_blank=True, max_length=MAX_TEXT, default="")


@_action(OutcomeInput, "Close the case with an outcome allowed from its status.")
class CaseOutcomeApi(_CaseActionApi):
    input_serializer = OutcomeInput

    def perform(self, case: EnforcementCase, data: dict[str, Any]) -> Any:
        return services.case_close(case=case, actor=request_user(self.request), **data)


class ArrearsPeriodInput(serializers.Serializer):
    period = serializers.RegexField(r"^\d{6}$", max_length=6, help_text="YYYYMM")
    owed = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
        allow_null=True,
        default=None,
        help_text="omitted: (verified − declared base) of the month's finding × the contribution rates",
    )


@_action(ArrearsPeriodInput, "Add a period to the arrears statement.")
class CaseArrearsPeriodApi(_CaseActionApi):
    input_serializer = ArrearsPeriodInput

    def perform(self, case: EnforcementCase, data: dict[str, Any]) -> Any:
        return services.case_arrears_period_set(case=case, actor=request_user(self.request), **data)


class PaymentInput(serializers.Serializer):
    paid_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    reference = TextField(required=False, allow_blank=True, max_length=60, default="")


@_action(PaymentInput, "Record a payment (applied to the oldest period first).")
class CasePaymentApi(_CaseActionApi):
    input_serializer = PaymentInput

    def perform(self, case: EnforcementCase, data: dict[str, Any]) -> Any:
        return services.case_payment_record(case=case, actor=request_user(self.request), **data)


class FineInput(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    reason = TextField(max_length=MAX_TEXT)


@_action(FineInput, "Record the chosen fine: within 1–3× the unpaid amount of today's statement.")
class CaseFineApi(_CaseActionApi):
    input_serializer = FineInput

    def perform(self, case: EnforcementCase, data: dict[str, Any]) -> Any:
        return services.case_fine_record(case=case, actor=request_user(self.request), **data)


class StatementLineSerializer(serializers.Serializer):
    period = serializers.CharField()
    due_date = serializers.DateField()
    owed = serializers.DecimalField(max_digits=16, decimal_places=2)
    paid = serializers.DecimalField(max_digits=16, decimal_places=2)
    unpaid = serializers.DecimalField(max_digits=16, decimal_places=2)
    late_days = serializers.IntegerField()
    late_fee = serializers.DecimalField(max_digits=16, decimal_places=2)
    source = serializers.CharField()  # type: ignore[assignment]  # a field named "source"


class StatementSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    due_day = serializers.IntegerField()
    lines = StatementLineSerializer(many=True)
    total_owed = serializers.DecimalField(max_digits=16, decimal_places=2)
    total_paid = serializers.DecimalField(max_digits=16, decimal_places=2)
    total_unpaid = serializers.DecimalField(max_digits=16, decimal_places=2)
    total_late_fee = serializers.DecimalField(max_digits=16, decimal_places=2)
    credit = serializers.DecimalField(max_digits=16, decimal_places=2)
    fine_min = serializers.DecimalField(max_digits=16, decimal_places=2)
    fine_max = serializers.DecimalField(max_digits=16, decimal_places=2)


@extend_schema(responses={200: StatementSerializer, 409: CONFLICT})
class CaseArrearsApi(APIView):
    """The case's arrears statement as of today (yuan; late fee per Social Insurance Law art. 86)."""

    permission_classes = [capability(VIEW_CASES)]

    def get(self, request: Request, pk: int) -> Response:
        from enforcement.arrears import yuan

        case = selectors.case_get_for_user(user=request_user(request), pk=pk)
        try:
            st = services.arrears_statement_get(case=case)
        except services.CaseError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        low, high = st.fine_range()
        body = {
            "as_of": st.as_of,
            "due_day": st.due_day,
            "lines": [
                {
                    "period": line.period,
                    "due_date": line.due_date,
                    "owed": yuan(line.owed),
                    "paid": yuan(line.paid),
                    "unpaid": yuan(line.unpaid),
                    "late_days": line.late_days,
                    "late_fee": yuan(line.fee),
                    "source": line.source,
                }
                for line in st.lines
            ],
            "total_owed": yuan(st.total_owed),
            "total_paid": yuan(st.total_paid),
            "total_unpaid": yuan(st.total_unpaid),
            "total_late_fee": yuan(st.total_fee),
            "credit": yuan(st.credit),
            "fine_min": yuan(low),
            "fine_max": yuan(high),
        }
        return Response(StatementSerializer(body).data)
