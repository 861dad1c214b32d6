"""GET /api/v1/calculator/ — the public pension estimator's computation as JSON: the same
steps, numbers and flags as the /calculator/ page. Public (no key needed, like the page);
anonymous callers are throttled per IP by the API's anon rate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from outreach.pension import calculator as calc
from outreach.pension import selectors

REQUIRED = {
    calc.ENTERPRISE: ("category", "years", "indexes"),
    calc.RESIDENTS: ("tier", "years"),
}


class CalculatorQuery(serializers.Serializer):
    scheme = serializers.ChoiceField(
        choices=calc.SCHEMES, help_text="enterprise: 企业职工; residents: 城乡居民"
    )
    birth = serializers.DateField(
        input_formats=["%Y-%m-%d", "%Y-%m"], help_text="date of birth, YYYY-MM-DD (YYYY-MM also accepted)"
    )
    category = serializers.ChoiceField(
        choices=tuple(calc.REFORM_2025),
        required=False,
        help_text="enterprise only, required there: male (60), female_55, female_50 — the original retirement age",
    )
    years = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=calc.MAX_YEARS,
        help_text="contribution years incl. 视同缴费年限; at most the years from 16 to the retirement age",
    )
    indexes = serializers.CharField(
        required=False,
        max_length=600,
        help_text="enterprise only, required there: each year's contribution index (0 < x ≤ 10), "
        "comma-separated, or one average; each is clamped to [0.6, 3] before averaging",
    )
    balance = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=calc.MAX_MONEY,
        required=False,
        help_text="account balance (enterprise: at retirement, or today's when monthly_base is given)",
    )
    monthly_base = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=calc.MAX_MONEY,
        required=False,
        help_text="enterprise only: monthly contribution base, projects the balance × 8 % per month to retirement",
    )
    shift_months = serializers.IntegerField(
        required=False,
        min_value=-calc.FLEX_MAX_MONTHS,
        max_value=calc.FLEX_MAX_MONTHS,
        help_text="enterprise only: flexible retirement, months earlier (< 0; not below the original age, "
        "with the minimum contribution years) or later (> 0) than the statutory age",
    )
    tier = serializers.ChoiceField(
        choices=calc.RESIDENTS_TIERS, required=False, help_text="residents only, required there: 元/年"
    )

    def validate_indexes(self, value: str) -> tuple[Decimal, ...]:
        try:
            return calc.indexes_parse(value)
        except calc.InputError as exc:
            raise ValidationError(exc.errors["indexes"]) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        missing = [name for name in REQUIRED[attrs["scheme"]] if attrs.get(name) is None]
        if missing:
            message = serializers.Field.default_error_messages["required"]
            raise ValidationError({name: [message] for name in missing})
        return attrs


class InputSerializer(serializers.Serializer):
    name = serializers.CharField()
    value = serializers.CharField()
    unverified = serializers.BooleanField(help_text="the parameter is marked unverified in the data")
    carried = serializers.BooleanField(help_text="no value for the year: a neighbouring year's is used")


class StepSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    formula = serializers.CharField(help_text="the formula in plain words")
    inputs = InputSerializer(many=True)
    result = serializers.CharField(help_text="as the page shows it")
    value = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    unverified = serializers.BooleanField()
    note = serializers.CharField()


class ParameterSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    value = serializers.DecimalField(max_digits=14, decimal_places=4)
    from_year = serializers.IntegerField()
    unverified = serializers.BooleanField()
    carried = serializers.BooleanField()


class CalculationSerializer(serializers.Serializer):
    scheme = serializers.ChoiceField(choices=calc.SCHEMES)
    year = serializers.IntegerField(help_text="the year the pension starts; its parameters are used")
    total = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="元/月")
    eligible = serializers.BooleanField(help_text="the minimum contribution years are met")
    warnings = serializers.ListField(child=serializers.CharField())
    steps = StepSerializer(many=True)
    flagged_parameters = ParameterSerializer(many=True, help_text="unverified or carried parameters used")


def result_data(result: calc.Result) -> dict[str, Any]:
    return {
        "scheme": result.scheme,
        "year": result.year,
        "total": result.total,
        "eligible": result.eligible,
        "warnings": list(result.warnings),
        "steps": [
            {
                "code": s.code,
                "label": s.label,
                "formula": s.formula,
                "inputs": [vars(i) for i in s.inputs],
                "result": s.result,
                "value": s.value,
                "unverified": s.unverified,
                "note": s.note,
            }
            for s in result.steps
        ],
        "flagged_parameters": [
            {
                "name": p.name,
                "label": p.label,
                "value": p.value,
                "from_year": p.from_year,
                "unverified": p.unverified,
                "carried": p.carried,
            }
            for p in result.unverified
        ],  # fmt: skip
    }


class CalculatorApi(APIView):
    """The estimated monthly pension with every step of the formula (label, formula, the
    numbers put in, result), for the enterprise-employee or the urban-rural-resident scheme."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[CalculatorQuery],
        responses={
            200: CalculationSerializer,
            400: OpenApiResponse(description="a parameter missing or out of its range, named with a message"),
            401: OpenApiResponse(description="an API key was sent and is not valid (none is needed)"),
            403: OpenApiResponse(description="not sent: the estimator is public"),
        },
    )
    def get(self, request: Request) -> Response:
        query = CalculatorQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        try:
            result = selectors.estimate(scheme=data["scheme"], data=data, today=timezone.localdate())
        except calc.InputError as exc:
            raise ValidationError(exc.errors) from None
        return Response(CalculationSerializer(result_data(result)).data)
