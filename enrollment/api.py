"""REST API for roster intake (rosters.md → Pushing a roster).

POST /api/v1/rosters/              push a file (partners, their department's kinds)
GET  /api/v1/rosters/              batches, newest first (?kind=, ?department=)
GET  /api/v1/rosters/{id}/         one batch (poll it while processing)
GET  /api/v1/rosters/{id}/errors/  its errors and warnings, paginated (?severity=)
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enrollment import selectors, services
from enrollment.models import RosterBatch, RosterIssue, RosterKind
from wuhai_coverage.core import access
from wuhai_coverage.core.api import FormSerializer, StrictBooleanField
from wuhai_coverage.core.filters import FilterError
from wuhai_coverage.core.models import Department
from wuhai_coverage.core.pagination import PortalPagination
from wuhai_coverage.core.roles import PUSH_ROSTERS, VIEW_ROSTERS


class CanSeeRosters(permissions.BasePermission):
    message = gettext_lazy("您的角色无权查看名册")

    def has_permission(self, request, view) -> bool:
        return access.has(request.user, PUSH_ROSTERS) or access.has(request.user, VIEW_ROSTERS)


class RosterBatchSerializer(serializers.ModelSerializer):
    pushed_by = serializers.SerializerMethodField()
    errors_url = serializers.SerializerMethodField()

    class Meta:
        model = RosterBatch
        fields = [
            "id",
            "kind",
            "department",
            "status",
            "snapshot_date",
            "received_at",
            "started_at",
            "finished_at",
            "pushed_by",
            "filename",
            "size_bytes",
            "sha256",
            "file_format",
            "encoding",
            "allow_empty",
            "rows_total",
            "rows_loaded",
            "rows_rejected",
            "warnings",
            "rows_read",
            "ignored_columns",
            "message",
            "rows_purged_at",
            "errors_url",
        ]
        read_only_fields = fields

    def get_pushed_by(self, obj) -> str | None:
        return obj.pushed_by.username if obj.pushed_by_id else None

    def get_errors_url(self, obj) -> str:
        return f"/api/v1/rosters/{obj.pk}/errors/"


class RosterIssueSerializer(serializers.ModelSerializer):
    class Meta:
        model = RosterIssue
        fields = ["row", "column", "code", "message", "severity"]
        read_only_fields = fields


class RosterPushSerializer(FormSerializer):
    kind = serializers.ChoiceField(
        choices=RosterKind.values, help_text="roster kind: one of the caller's department (else 403)"
    )
    file = serializers.FileField(help_text="CSV (UTF-8 or GB18030) or XLSX", allow_empty_file=True)
    snapshot_date = serializers.DateField(
        required=False, help_text="date the extract was taken; default today"
    )
    allow_empty = StrictBooleanField(
        required=False, default=False, help_text="accept a file with a header and no data rows"
    )


def _error(message: str, code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({"detail": message}, status=code)


class RosterListApi(APIView):
    """Push a roster (partners) or list batches (partners: their department's; staff: all)."""

    permission_classes = [permissions.IsAuthenticated, CanSeeRosters]
    parser_classes = [MultiPartParser]  # a file; any other body is a 415
    pagination_class = PortalPagination  # the schema documents the list as paginated

    @extend_schema(
        operation_id="rosters_list",
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=RosterKind.values),
            OpenApiParameter("department", OpenApiTypes.STR, enum=Department.values),
        ],
        responses={
            200: RosterBatchSerializer(many=True),
            400: OpenApiResponse(
                OpenApiTypes.OBJECT, description="an unknown kind or department: {parameter: [messages]}"
            ),
        },
    )
    def get(self, request: Request) -> Response:
        try:
            qs = selectors.batch_list(user=request.user, filters=request.query_params)
        except FilterError as exc:
            raise ValidationError(exc.errors) from exc
        paginator = PortalPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(RosterBatchSerializer(page, many=True).data)

    @extend_schema(
        operation_id="rosters_push",
        request={"multipart/form-data": RosterPushSerializer},
        responses={
            200: OpenApiResponse(RosterBatchSerializer, description="the same file was pushed before"),
            201: OpenApiResponse(
                RosterBatchSerializer,
                description="processed inline (loaded or rejected; only without a broker)",
            ),
            202: OpenApiResponse(RosterBatchSerializer, description="queued; poll GET /api/v1/rosters/{id}/"),
            400: OpenApiResponse(description="unknown kind, missing file, bad snapshot_date"),
            403: OpenApiResponse(description="not a partner, or another department's kind"),
        },
    )
    def post(self, request):
        access.require(request.user, PUSH_ROSTERS)
        kind = str(request.data.get("kind", "")).strip()
        try:
            services.require_push(user=request.user, kind=kind)
        except services.UnknownKind as exc:
            return _error(str(exc))
        form = RosterPushSerializer(data=request.data)
        if not form.is_valid():
            raise ValidationError(form.errors)
        upload = form.validated_data["file"]
        batch, outcome = services.roster_push(
            user=request.user,
            kind=kind,
            upload=upload,
            snapshot_date=form.validated_data.get("snapshot_date"),
            allow_empty=form.validated_data.get("allow_empty", False),
        )
        code = {
            "existing": status.HTTP_200_OK,
            "processed": status.HTTP_201_CREATED,
            "queued": status.HTTP_202_ACCEPTED,
        }[outcome]
        return Response(RosterBatchSerializer(batch).data, status=code)


class RosterDetailApi(APIView):
    """One batch; poll it while `status` is processing (`rows_read` shows progress)."""

    permission_classes = [permissions.IsAuthenticated, CanSeeRosters]

    @extend_schema(operation_id="rosters_retrieve", responses={200: RosterBatchSerializer})
    def get(self, request, pk: int):
        return Response(RosterBatchSerializer(selectors.batch_get_for_user(user=request.user, pk=pk)).data)


class RosterErrorsApi(APIView):
    """The batch's report: errors (row rejected) and warnings (cell dropped)."""

    permission_classes = [permissions.IsAuthenticated, CanSeeRosters]
    pagination_class = PortalPagination  # the schema documents the list as paginated

    @extend_schema(
        operation_id="rosters_errors",
        parameters=[OpenApiParameter("severity", OpenApiTypes.STR, enum=RosterIssue.Severity.values)],
        responses={200: RosterIssueSerializer(many=True)},
    )
    def get(self, request, pk: int):
        batch = selectors.batch_get_for_user(user=request.user, pk=pk)
        severity = request.query_params.get("severity") or None
        if severity and severity not in RosterIssue.Severity.values:
            return _error(_("severity 应为 error 或 warning"))
        paginator = PortalPagination()
        page = paginator.paginate_queryset(
            selectors.batch_issues_list(batch=batch, severity=severity), request, view=self
        )
        return paginator.get_paginated_response(RosterIssueSerializer(page, many=True).data)
