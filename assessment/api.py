"""GET /api/v1/assessment/districts/?year=YYYY — the ranking of portal.md → Assessment."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assessment import parameters, scoring, selectors
from wuhai_coverage.core.api import capability
from wuhai_coverage.core.roles import VIEW_ASSESSMENT


def _number(x: Fraction | Decimal | None, places: int = 6) -> float | None:
    if x is None:
        return None
    if isinstance(x, Fraction):
        return round(x.numerator / x.denominator, places)
    return float(x)


def indicator_data(i: scoring.IndicatorResult) -> dict[str, Any]:
    data: dict[str, Any] = {
        "value": _number(i.value),
        "numerator": i.numerator,
        "denominator": i.denominator,
        "target": _number(i.target),
        "weight": _number(i.weight),
        "score": _number(i.score),
        "scored": i.scored,
        "note": i.note,
    }
    if i.indicator.lower_is_better:
        data["baseline"] = {"numerator": i.baseline_numerator, "denominator": i.baseline_denominator}
    return data


def district_data(r: scoring.DistrictResult) -> dict[str, Any]:
    return {
        "district_code": r.code,
        "name": r.name,
        "indicators": {i.code: indicator_data(i) for i in r.indicators},
        "score": _number(r.score),
        "rank": r.rank,
        "commended": r.commended,
        "below_pass": r.below_pass,
        "fund_gap_share": _number(r.fund_gap_share),
    }


class IndicatorSerializer(serializers.Serializer):
    value = serializers.FloatField(
        allow_null=True, help_text="numerator / denominator (0–1); null when not measurable"
    )
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    target = serializers.FloatField(allow_null=True, help_text="interruption_rate: last year's value")
    weight = serializers.FloatField()
    score = serializers.FloatField(allow_null=True, help_text="0–100, two decimals; null when not scored")
    scored = serializers.BooleanField()
    note = serializers.CharField(help_text="why the indicator is not scored, when it is not")


class DistrictSerializer(serializers.Serializer):
    district_code = serializers.CharField(help_text="the district's division code, as in tasks/")
    name = serializers.CharField()
    indicators = serializers.DictField(child=IndicatorSerializer(), help_text=", ".join(parameters.BY_CODE))
    score = serializers.FloatField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True, help_text="ties share a rank (1, 1, 3)")
    commended = serializers.BooleanField(help_text="top district: 通报表扬")
    below_pass = serializers.BooleanField()
    fund_gap_share = serializers.FloatField(help_text="share of its fund gap, a fraction (0.5 = 50 %)")


class RankingSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    as_of = serializers.DateField()
    parameters = serializers.DictField(child=serializers.FloatField())
    results = DistrictSerializer(many=True)


class RankingQuery(serializers.Serializer):
    """The query, for the schema: its bounds are parse_year's, and "this year" is read when
    the schema is generated, not when the module was imported."""

    def get_fields(self):
        return {
            "year": serializers.IntegerField(
                required=False,
                min_value=selectors.FIRST_YEAR,
                max_value=timezone.localdate().year,
                help_text="YYYY (default: this year)",
            )
        }


class DistrictRankingApi(APIView):
    """Each district's indicators (value, numerator, denominator, target, weight, score),
    score, rank, commendation and fund-gap share for a year (default: this year)."""

    permission_classes = [capability(VIEW_ASSESSMENT)]

    @extend_schema(
        parameters=[RankingQuery],
        responses=RankingSerializer,
    )
    def get(self, request: Request) -> Response:
        try:
            year = selectors.year_parse(request.query_params.get("year"))
        except selectors.BadYear as exc:
            raise ValidationError({"year": [str(exc)]}) from None
        period = selectors.period_get(year)
        params = selectors.parameters_current_get()
        results = selectors.ranking_list(period, params)
        return Response(
            {
                "year": period.year,
                "as_of": period.as_of.isoformat(),
                "parameters": {k: float(v) for k, v in params.items()},
                "results": [district_data(r) for r in results],
            }
        )
