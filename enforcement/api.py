"""The tasks API (portal.md → Entry points): GET /api/v1/tasks/ and /api/v1/tasks/{id}/,
and POST actions on a task. Jurisdiction through the access helper (404 outside it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enforcement import selectors, services
from enforcement.filters import PATTERNS, TaskFilterSet, TriStateFilter
from enforcement.models import Notice, Task
from wuhai_coverage.core import access, privacy
from wuhai_coverage.core.api import TextField, capability
from wuhai_coverage.core.filters import FilterError
from wuhai_coverage.core.http import client_ip
from wuhai_coverage.core.models import AccessLog, Role, User
from wuhai_coverage.core.roles import ASSIGN_TASKS, ISSUE_NOTICES, REVEAL_PERSONAL, VIEW_TASKS, WORK_TASKS
from wuhai_coverage.core.schema import ErrorSerializer
from wuhai_coverage.core.services import access_log_reveal


class TaskSerializer(serializers.ModelSerializer):
    district_code = serializers.CharField(source="district_id", allow_null=True)
    street_code = serializers.CharField(source="street_id", allow_null=True)
    assignee: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    evidence = serializers.JSONField()

    class Meta:
        model = Task
        fields = (
            "id",
            "kind",
            "status",
            "subject_type",
            "subject_key",
            "subject_name",
            "district_code",
            "street_code",
            "priority",
            "evidence",
            "opened_at",
            "refreshed_at",
            "due_date",
            "assignee",
            "closed_at",
            "resolution",
        )
        read_only_fields = fields

    def to_representation(self, instance: Task) -> dict[str, Any]:
        """A person's key (an ID number) is masked unless the view revealed it — and a view
        sets `reveal` in the context only after writing the access-log entry."""
        data = super().to_representation(instance)
        if not self.context.get("reveal"):
            data["subject_key"] = privacy.mask_subject_key(instance.subject_type, instance.subject_key)
        return data


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def request_user(request: Request) -> User:
    """The signed-in caller (every endpoint here has a capability permission, so an
    anonymous caller was refused before; this narrows the type for the services)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


REVEAL_PARAM = OpenApiParameter(
    "reveal",
    OpenApiTypes.BOOL,
    description="true: full ID numbers in a person's `subject_key` instead of the masked 150302********123X. "
    "Needs the reveal_personal capability (else 403) and writes one access-log entry naming every "
    "person revealed in the answer.",
)


def reveal_requested(request: Request) -> bool:
    """`reveal=true` asked for and allowed; 400 on a value that is not a boolean, 403 for a
    caller without the capability (a clear refusal rather than a silently masked answer)."""
    raw = (request.query_params.get("reveal") or "").strip().lower()
    if raw in _FALSE:
        return False
    if raw not in _TRUE:
        raise ValidationError(
            {"reveal": _("reveal 应为 true 或 false，而不是 %(value)r") % {"value": raw[:20]}}
        )
    if not access.has(request.user, REVEAL_PERSONAL):
        raise PermissionDenied(_("您的角色无权查看完整身份证号（reveal=true）"))
    return True


def log_api_reveal(request: Request, tasks: Iterable[Task]) -> None:
    """One access-log entry naming every person whose full key this answer carries."""
    keys = [t.subject_key for t in tasks if t.subject_type == Task.SubjectType.PERSON]
    if keys:
        access_log_reveal(
            actor=request_user(request),
            field=AccessLog.Field.ID_NUMBER,
            subject_keys=keys,
            context=f"api {request.path}",
            ip=client_ip(request),
        )


# What each filter means to a partner; the names, enums and patterns are TaskFilterSet's own.
_FILTER_DOCS = {
    "status": "without it (or `all`): every status, closed included",
    "district": "6-digit district code",
    "street": "9-digit street code",
    "subject": "exact subject key (uscc / full ID number / project code), whether or not revealed",
    "q": "text on the name, a prefix of a uscc or project code, or a whole ID number",
    "assignee": "`me`, `none` (not assigned) or a user id",
    "person": "a registry person's id: their tasks",
}


def _filter_parameters() -> list[OpenApiParameter]:
    """The query parameters of GET /api/v1/tasks/, read from TaskFilterSet; an empty value
    is no filter (so "" is in every enum and every pattern)."""
    params = []
    for name, task_filter in TaskFilterSet.base_filters.items():
        choices = task_filter.extra.get("choices")
        pattern = PATTERNS.get(name)
        max_length = task_filter.extra.get("max_length")
        kind: Any = OpenApiTypes.STR
        if isinstance(task_filter, TriStateFilter):
            kind = OpenApiTypes.BOOL
        elif max_length:
            kind = {"type": "string", "maxLength": max_length}
        params.append(
            OpenApiParameter(
                name,
                kind,
                enum=[*(value for value, _label in choices), ""] if choices else None,
                pattern=f"^({pattern[1:-1]})?$" if pattern else None,
                description=_FILTER_DOCS.get(name, ""),
            )
        )
    return [*params, REVEAL_PARAM]


_FILTER_PARAMS = _filter_parameters()


@extend_schema(parameters=_FILTER_PARAMS)
class TaskListApi(generics.ListAPIView):
    """Tasks in the caller's jurisdiction, paginated {"count", "next", "previous", "results"};
    page_size up to 1000."""

    serializer_class = TaskSerializer
    permission_classes = [capability(VIEW_TASKS)]
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Task]:
        try:
            return selectors.task_list(
                user=request_user(self.request), filters=self.request.query_params, closed_by_default=False
            )
        except FilterError as exc:
            raise ValidationError({"detail": str(exc)}) from None

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reveal = reveal_requested(request)  # before any work: 400/403 on a bad or forbidden reveal
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset())) or []
        if reveal:
            log_api_reveal(request, page)
        data = self.get_serializer_class()(
            page, many=True, context={**self.get_serializer_context(), "reveal": reveal}
        ).data
        return self.get_paginated_response(data)


@extend_schema(parameters=[REVEAL_PARAM])
class TaskDetailApi(generics.RetrieveAPIView):
    serializer_class = TaskSerializer
    permission_classes = [capability(VIEW_TASKS)]

    def get_object(self) -> Task:
        return selectors.task_get_for_user(user=request_user(self.request), pk=self.kwargs["pk"])

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        task = self.get_object()  # 404 outside the jurisdiction comes first
        reveal = reveal_requested(request)
        if reveal:
            log_api_reveal(request, [task])
        return Response(
            TaskSerializer(task, context={**self.get_serializer_context(), "reveal": reveal}).data
        )


TASK_CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description="the task's status (or its subject, or the assignee's street) does not allow this action now",
)


class _TaskActionApi(APIView):
    """POST an action on a task: 404 outside the jurisdiction, 400 with a message when the
    input is bad, 409 when the task's status does not allow it; the task as the answer."""

    input_serializer: type[serializers.Serializer]

    def post(self, request: Request, pk: int) -> Response:
        task = selectors.task_get_for_user(user=request_user(request), pk=pk)
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            result = self.perform(task, data.validated_data)
        except services.TaskConflict as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except services.TaskError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.answer(result), status=status.HTTP_200_OK)

    def perform(
        self, task: Task, data: dict[str, Any]
    ) -> Any:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def answer(self, result: Any) -> dict[str, Any]:
        return TaskSerializer(Task.objects.select_related("assignee").get(pk=result.pk)).data


class AssignInput(serializers.Serializer):
    assignee = TextField(help_text="username (or id) of a street worker of the task's street")


@extend_schema(request=AssignInput, responses={200: TaskSerializer, 409: TASK_CONFLICT})
class TaskAssignApi(_TaskActionApi):
    permission_classes = [capability(ASSIGN_TASKS)]
    input_serializer = AssignInput

    def perform(self, task: Task, data: dict[str, Any]) -> Any:
        key = data["assignee"]
        lookup = {"pk": int(key)} if key.isdigit() else {"username": key}
        assignee = get_object_or_404(User.objects.filter(role=Role.STREET_STAFF), **lookup)
        return services.task_assign(task=task, actor=request_user(self.request), assignee=assignee)


class ContactInput(serializers.Serializer):
    channel = serializers.ChoiceField(choices=list(services.CONTACT_CHANNELS))
    outcome = serializers.ChoiceField(choices=list(services.CONTACT_OUTCOMES))
    note = TextField(required=False, allow_blank=True, max_length=services.MAX_TEXT, default="")


@extend_schema(request=ContactInput, responses={200: TaskSerializer, 409: TASK_CONFLICT})
class TaskContactApi(_TaskActionApi):
    permission_classes = [capability(WORK_TASKS)]
    input_serializer = ContactInput

    def perform(self, task: Task, data: dict[str, Any]) -> Any:
        return services.task_record_contact(task=task, actor=request_user(self.request), **data)


class NoticeInput(serializers.Serializer):
    deadline = serializers.DateField()
    kind = serializers.ChoiceField(
        choices=Notice.Kind.values,
        required=False,
        allow_blank=True,
        default="",
        help_text="omitted or empty: the kind the task's kind calls for",
    )
    issuing_office = TextField(required=False, allow_blank=True, max_length=120, default="")


class NoticeSerializer(serializers.ModelSerializer):
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = (
            "id",
            "task",
            "kind",
            "number",
            "addressee",
            "facts",
            "legal_basis",
            "deadline",
            "issuing_office",
            "issued_at",
            "pdf_url",
        )

    def get_pdf_url(self, obj) -> str:
        return f"/notices/{obj.pk}.pdf"


@extend_schema(request=NoticeInput, responses={200: NoticeSerializer, 409: TASK_CONFLICT})
class TaskNoticeApi(_TaskActionApi):
    permission_classes = [capability(ISSUE_NOTICES)]
    input_serializer = NoticeInput

    def perform(self, task: Task, data: dict[str, Any]) -> Any:
        return services.notice_issue(task=task, actor=request_user(self.request), **data)

    def answer(self, result: Any) -> dict[str, Any]:
        return NoticeSerializer(result).data


class RectifyInput(serializers.Serializer):
    what_changed = TextField(max_length=services.MAX_TEXT)


@extend_schema(request=RectifyInput, responses={200: TaskSerializer, 409: TASK_CONFLICT})
class TaskRectifyApi(_TaskActionApi):
    permission_classes = [capability(WORK_TASKS)]
    input_serializer = RectifyInput

    def perform(self, task: Task, data: dict[str, Any]) -> Any:
        return services.task_mark_rectified(task=task, actor=request_user(self.request), **data)


class DismissInput(serializers.Serializer):
    """A free-text `reason` (as clients have always sent it), or a preset `reason_code`
    with an optional `note` ("other" requires one)."""

    reason = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=services.MAX_TEXT,
        help_text="why the task is dismissed; required unless reason_code is given",
    )
    reason_code = serializers.ChoiceField(
        choices=list(services.DISMISS_REASONS), required=False, help_text="a preset dismissal reason"
    )
    note = TextField(required=False, allow_blank=True, default="", max_length=services.MAX_TEXT)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("reason_code") and not attrs.get("reason", "").strip():
            raise serializers.ValidationError({"reason": [_("请填写不予处理理由或选择预设理由")]})
        return attrs


@extend_schema(request=DismissInput, responses={200: TaskSerializer, 409: TASK_CONFLICT})
class TaskDismissApi(_TaskActionApi):
    permission_classes = [capability(ISSUE_NOTICES)]
    input_serializer = DismissInput

    def perform(self, task: Task, data: dict[str, Any]) -> Any:
        return services.task_dismiss(task=task, actor=request_user(self.request), **data)


class EscalateInput(serializers.Serializer):
    note = TextField(required=False, allow_blank=True, max_length=services.MAX_TEXT, default="")


class CaseSerializer(serializers.Serializer):
    case_id = serializers.IntegerField(source="pk")
    case_type = serializers.CharField()
    status = serializers.CharField()
    task = serializers.IntegerField(source="task_id")


@extend_schema(request=EscalateInput, responses={200: CaseSerializer, 409: TASK_CONFLICT})
class TaskEscalateApi(_TaskActionApi):
    permission_classes = [capability(ISSUE_NOTICES)]
    input_serializer = EscalateInput

    def perform(self, task: Task, data: dict[str, Any]) -> Any:
        return services.task_escalate(task=task, actor=request_user(self.request), **data)

    def answer(self, result: Any) -> dict[str, Any]:
        return CaseSerializer(result).data
