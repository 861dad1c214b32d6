"""GET/POST /api/v1/comparison-runs/ and GET /api/v1/comparison-runs/{id}/.

Anyone who may view tasks may read runs; only `run_comparison` (city managers) may start
one: 201 with the finished run when it ran inline (no broker), 202 with the queued run
when a worker will execute it (poll the detail), 409 when a run is already running."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from enforcement.comparison.services import RunInProgress, comparison_request_run
from enforcement.models import ComparisonRun, RuleRun
from wuhai_coverage.core.api import StrictBooleanField, capability
from wuhai_coverage.core.pagination import PortalPagination
from wuhai_coverage.core.roles import RUN_COMPARISON, VIEW_TASKS
from wuhai_coverage.core.schema import ErrorSerializer


class RuleRunSerializer(serializers.ModelSerializer):
    rule = serializers.CharField(source="kind", read_only=True)

    class Meta:
        model = RuleRun
        fields = ["rule", "status", "inputs", "opened", "refreshed", "closed", "seconds"]
        read_only_fields = fields


class ComparisonRunSerializer(serializers.ModelSerializer):
    triggered_by = serializers.CharField(
        source="triggered_by.username", default=None, read_only=True, allow_null=True
    )
    # Per rule: executed, unchanged (inputs equal to its last execution: not executed) or
    # guarded (skipped by a guard), with the inputs it read or would have read.
    rules = RuleRunSerializer(source="rule_runs", many=True, read_only=True)

    class Meta:
        model = ComparisonRun
        fields = [
            "id",
            "as_of",
            "status",
            "trigger",
            "triggered_by",
            "started_at",
            "finished_at",
            "duration_s",
            "progress",
            "opened",
            "closed",
            "open",
            "skipped",
            "rule_seconds",
            "parameters",
            "snapshots",
            "error",
            "forced",
            "rules",
        ]
        read_only_fields = fields


class StartRunSerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, help_text="比对日期 D (YYYY-MM-DD); default: today")
    force = StrictBooleanField(
        required=False,
        default=False,
        help_text="execute every rule, even those whose inputs (batches, date, parameters, tasks) "
        "are unchanged since their last execution; default false",
    )


@extend_schema_view(
    get=extend_schema(
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=ComparisonRun.Status.values)]
    )
)
class ComparisonRunListApi(generics.ListCreateAPIView):
    serializer_class = ComparisonRunSerializer
    pagination_class = PortalPagination
    queryset = (
        ComparisonRun.objects.select_related("triggered_by")
        .prefetch_related("rule_runs")
        .order_by("-started_at", "-id")
    )

    def get_permissions(self):
        cap = RUN_COMPARISON if self.request.method == "POST" else VIEW_TASKS
        return [capability(cap)()]

    def get_queryset(self):
        qs = super().get_queryset()
        status_filter = self.request.query_params.get("status")
        if status_filter:
            if status_filter not in ComparisonRun.Status.values:
                message = _("未知的运行状态 %(status)s；可用：%(known)s") % {
                    "status": repr(status_filter[:20]),
                    "known": ", ".join(ComparisonRun.Status.values),
                }
                raise ValidationError({"status": [message]})
            qs = qs.filter(status=status_filter)
        return qs

    @extend_schema(
        request=StartRunSerializer,
        responses={
            201: OpenApiResponse(ComparisonRunSerializer, description="ran inline (no broker): finished"),
            202: OpenApiResponse(ComparisonRunSerializer, description="queued: poll the run"),
            409: OpenApiResponse(ErrorSerializer, description="a run is already running"),
        },
    )
    def post(self, request, *args, **kwargs):
        form = StartRunSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            run, finished = comparison_request_run(
                user=request.user,
                as_of=form.validated_data.get("as_of"),
                trigger="api",
                force=form.validated_data["force"],
            )
        except RunInProgress as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(
            ComparisonRunSerializer(run).data,
            status=status.HTTP_201_CREATED if finished else status.HTTP_202_ACCEPTED,
        )


class ComparisonRunDetailApi(generics.RetrieveAPIView):
    serializer_class = ComparisonRunSerializer
    permission_classes = [capability(VIEW_TASKS)]
    queryset = ComparisonRun.objects.select_related("triggered_by").prefetch_related("rule_runs")
