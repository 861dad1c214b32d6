"""Pages of the caseworker's portal: dashboard, queue (with bulk assignment and XLSX
export), the task page with its actions, notices, and the street worker's phone pages.

Views are thin: they parse input, ask the access helper, call a selector or a service,
and render. A task outside the user's jurisdiction is a 404. Reads are in selectors.py
(the queue's filters in filters.py), writes in services.py, the workbook in exports.py."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enforcement import selectors, services, views_homes
from enforcement.exports import tasks_workbook
from enforcement.forms import (
    AssignForm,
    BulkAssignForm,
    ContactForm,
    DismissForm,
    DistrictAssignForm,
    EscalateForm,
    NoteForm,
    NoticeForm,
    RectifyForm,
)
from enforcement.kinds import next_step, why_sentence
from enforcement.models import Notice, Task, TaskEvent, TaskKind
from enforcement.notices import default_notice_kind, evidence_items, issuing_office_of
from enforcement.selectors import Aspect, TaskPage
from enforcement.templatetags.portal_tags import cell
from enrollment.selectors import streets_for
from enrollment.views import partner_home
from wuhai_coverage.core import access, labels, listing, privacy
from wuhai_coverage.core.filters import SEARCH_MAX_CHARS, FilterError
from wuhai_coverage.core.http import AuthedRequest, client_ip, safe_next, search_post_redirect
from wuhai_coverage.core.models import Role, User
from wuhai_coverage.core.roles import (
    ASSIGN_TASKS,
    ISSUE_NOTICES,
    REVEAL_PERSONAL,
    VIEW_TASKS,
    WORK_TASKS,
    capabilities_of,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _labels() -> dict[str, dict[str, str]]:
    """Display labels of the task fields in the active language (get_FOO_display on every
    row of a 50-row page re-evaluates the lazy choices each time: measurable)."""
    return _labels_in(get_language())


@functools.lru_cache(maxsize=8)
def _labels_in(language: str | None) -> dict[str, dict[str, str]]:
    # Choices are fixed at import; the cache key is the language they are translated into.
    return {
        "kind": {k: str(v) for k, v in TaskKind.choices},
        "status": {k: str(v) for k, v in Task.Status.choices},
        "priority": {k: str(v) for k, v in Task.Priority.choices},
        "resolution": {k: str(v) for k, v in Task.Resolution.choices},
    }


def _staff_options(staff: Iterable[User]) -> list[tuple[int, str]]:
    return [(u.pk, f"{u}（{u.street.name}）" if u.street is not None else str(u)) for u in staff]


def _caps(user: User) -> set[str]:
    return set(capabilities_of(user.role))


# --- Dashboard -------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: AuthedRequest) -> HttpResponse:
    """Every role lands on a page made for it (`/` sends a signed-in user here)."""
    user = request.user
    if user.role == Role.STREET_STAFF:
        # Street staff: their street's list, phone first (the street pages decide what it shows).
        return redirect("enforcement:street")
    if user.role == Role.INSPECTOR:
        return views_homes.inspector_home(request)
    if user.role == Role.CITY_MANAGER:
        return views_homes.manager_home(request)
    if user.role == Role.PARTNER:
        return partner_home(request)
    ctx: dict[str, Any] = {"jurisdiction": access.jurisdiction_of(user), "caps": _caps(user)}
    if access.has(user, VIEW_TASKS):
        ctx["counts"] = selectors.dashboard_counts_get(user=user)
        ctx["statuses"] = [(s, Task.Status(s).label) for s in selectors.ACTIVE_STATUSES]
    return render(request, "enforcement/dashboard.html", ctx)


# --- The queue -------------------------------------------------------------------------


def _page_number(request: AuthedRequest) -> int:
    try:
        return max(1, int(request.GET.get("page") or 1))
    except ValueError:
        return 1


def _queue_rows(rows: list[dict[str, Any]], no_street: str) -> list[dict[str, Any]]:
    """The printed cells of queue rows (selectors.QUEUE_FIELDS), computed once per row so
    that the template (portal_tags.queue_rows) only prints dict entries."""
    labels, today = _labels(), timezone.localdate()
    task_url = reverse("enforcement:task", args=[0]).removesuffix("0/")  # "/tasks/" + pk + "/"
    tz = timezone.get_current_timezone()
    out = []
    for row in rows:
        key = privacy.mask_subject_key(row["subject_type"], row["subject_key"])
        due, opened, resolution = row["due_date"], row["opened_at"], row["resolution"]
        out.append(
            {
                "pk": row["id"],
                "url": f"{task_url}{row['id']}/",
                "name": row["subject_name"] or key,
                "display_key": key,
                "kind_label": labels["kind"].get(row["kind"], row["kind"]),
                "status": row["status"],
                "status_label": labels["status"].get(row["status"], row["status"]),
                "resolution": resolution,
                "resolution_label": labels["resolution"].get(resolution, "") if resolution else "",
                "priority": row["priority"],
                "priority_label": labels["priority"].get(row["priority"], row["priority"]),
                "street": row["street__name"] if row["street_id"] else no_street,
                "assignee": row["assignee__username"] or "—",
                "opened": opened.astimezone(tz).strftime("%Y-%m-%d") if opened else "",
                "due_date": due,
                "due": due.strftime("%Y-%m-%d") if due else "—",
                "overdue": bool(due and due < today and row["status"] != Task.Status.CLOSED),
            }
        )
    return out


def _queue_person_redirect(request: AuthedRequest) -> HttpResponse | None:
    """A whole ID number in a queue link's `q`: continue on the person's registry pk, so
    that the address bar, the history, the pager and the export links hold no key."""
    text = (request.GET.get("q") or "").strip()
    person_pk = selectors.person_pk_get_by_key(user=request.user, text=text) if text else None
    if person_pk is None:
        return None
    params = request.GET.copy()
    params.pop("q", None)
    params["person"] = str(person_pk)
    return redirect(f"{reverse('enforcement:queue')}?{params.urlencode()}")


def _queue_chips(request: AuthedRequest, streets: Any) -> list[listing.Chip]:
    """The queue's active filters as removable chips, each value by its label."""
    return listing.filter_chips(
        request.GET,
        [
            ("kind", _("任务类型"), dict(TaskKind.choices)),
            ("status", _("状态"), {**dict(Task.Status.choices), "all": _("全部（含已关闭）")}),
            ("street", _("街道"), {s.code: f"{s.district.name} · {s.name}" for s in streets}),
            ("priority", _("优先级"), dict(Task.Priority.choices)),
            ("overdue", _("逾期"), {"1": _("仅逾期"), "0": _("未逾期")}),
            ("assignee", _("经办人"), {"me": _("我"), "none": _("未分派")}),
            ("q", _("关键词"), None),
            ("person", _("人员"), {request.GET.get("person"): _("所选人员")}),
        ],
    )


def _queue_context(request: AuthedRequest, page: TaskPage) -> dict[str, Any]:
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    streets = streets_for(user=request.user)
    may_assign = access.has(request.user, ASSIGN_TASKS)
    return {
        "tasks": _queue_rows(page.rows, _("未落街道")),
        "filters": page.filters,
        "page": page.number,
        "has_next": page.has_next,
        "count": page.count,
        "count_capped": page.count_capped,
        "first_index": page.first_index,
        "last_index": page.last_index,
        "num_pages": listing.page_count(page.count, selectors.PAGE_SIZE),
        "chips": _queue_chips(request, streets),
        "clear_url": reverse("enforcement:queue"),
        "qs_base": urlencode(params),
        "kinds": TaskKind.choices,
        "statuses": Task.Status.choices,
        "priorities": Task.Priority.choices,
        "streets": streets,
        "caps": _caps(request.user),
        "overdue_label": _("逾期"),
        "bulk_staff": (
            _staff_options(selectors.staff_assignable_list(user=request.user)) if may_assign else None
        ),
        "bulk_staff_offered": may_assign,
    }


@login_required
@require_http_methods(["GET", "POST"])
def queue(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, VIEW_TASKS)
    if request.method == "POST":  # the filter form: no typed ID number in the next URL
        return search_post_redirect(
            request,
            url=reverse("enforcement:queue"),
            person_pk_of=lambda text: selectors.person_pk_get_by_key(user=request.user, text=text),
        )
    person_redirect = _queue_person_redirect(request)
    if person_redirect is not None:
        return person_redirect
    error = ""
    try:
        page = selectors.task_page_get(user=request.user, filters=request.GET, page=_page_number(request))
    except FilterError as exc:  # the page with its default filters and the message, as a 400
        error = str(exc)
        page = selectors.task_page_get(user=request.user, filters={}, page=1)
    ctx = {**_queue_context(request, page), "error": error}
    return render(request, "enforcement/queue.html", ctx, status=400 if error else 200)


@login_required
@require_POST
def bulk_assign(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, ASSIGN_TASKS)
    form = BulkAssignForm(request.POST, staff=selectors.staff_assignable_list(user=request.user))
    back = safe_next(request, reverse("enforcement:queue"))
    if not form.is_valid():
        if "ids" in form.errors:
            return HttpResponseBadRequest(" ".join(str(e) for e in form.errors["ids"]))
        messages.error(request, _("请选择街道工作人员"))
        return redirect(back)
    if not form.cleaned_data["ids"]:
        messages.error(request, _("请勾选要分派的任务"))
        return redirect(back)
    scoped = selectors.task_scope(user=request.user).filter(pk__in=form.cleaned_data["ids"])
    try:
        result = services.task_bulk_assign(
            tasks=scoped, actor=request.user, assignee=form.cleaned_data["assignee"]
        )
    except services.TaskError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(
        request, _("已分派 %(assigned)d 条，跳过 %(skipped)d 条（不属于该街道或已办结）") % result
    )
    return redirect(back)


@login_required
@require_GET
def export_xlsx(request: AuthedRequest) -> HttpResponseBase:
    access.require(request.user, VIEW_TASKS)
    try:
        tasks = selectors.task_list(user=request.user, filters=request.GET)
    except FilterError as exc:
        return HttpResponseBadRequest(str(exc))
    buf = io.BytesIO()
    tasks_workbook(tasks=tasks, out=buf)
    buf.seek(0)
    name = f"tasks-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(buf, as_attachment=True, filename=name, content_type=XLSX)


# --- The task page ---------------------------------------------------------------------


def _aspect_cells(aspects: list[Aspect]) -> None:
    """The shown value of every aspect (personal values masked) and its (css class, text)
    per source: the text computed once here (portal_tags.cell; codes and enum values in
    words through the label registry), the masked values left to the template's reveal button."""
    for aspect in aspects:
        aspect.display = [
            privacy.mask(v, aspect.personal) if (aspect.personal and v) else v for v in aspect.values
        ]
        aspect.cells = [
            (
                "diff" if aspect.mismatch and v is not None and v != "" else "",
                v if (aspect.revealable and v) else cell(_shown(v, origin, aspect)),
            )
            for v, origin in zip(aspect.display, aspect.fields or [None] * len(aspect.display), strict=True)
        ]


def _compare_stack(sources: list[Any], aspects: list[Aspect]) -> list[dict[str, Any]]:
    """The side-by-side table as label/value pairs for a phone (where a table of three
    rosters would be a character wide): per compared aspect that any roster fills, each
    roster's value (cells from _aspect_cells)."""
    stack = []
    for aspect in aspects:
        values = [
            {"source": src.label, "diff": diff, "text": text}
            for src, (diff, text) in zip(sources, aspect.cells, strict=True)
            if text not in (None, "")
        ]
        if values:
            stack.append(
                {
                    "label": aspect.label,
                    "mismatch": aspect.mismatch,
                    "revealable": aspect.revealable,
                    "personal": aspect.personal,
                    "values": values,
                }
            )
    return stack


def _shown(value: Any, origin: str | None, aspect: Aspect) -> Any:
    """A compared value in words (region, enum, industry, period, money), personal ones as masked."""
    if aspect.personal or origin is None or value is None or isinstance(value, bool):
        return value
    return labels.field_value(value, origin)


def _task_permissions(task: Task, caps: set[str]) -> dict[str, bool]:
    """Which of the task page's actions this user may take on this task now."""
    return {
        "assign": ASSIGN_TASKS in caps and task.status in services.ASSIGNABLE,
        "contact": WORK_TASKS in caps and task.status in services.CONTACTABLE,
        "notice": ISSUE_NOTICES in caps and task.status in services.NOTICEABLE,
        "rectify": WORK_TASKS in caps and task.status in services.RECTIFIABLE,
        "dismiss": ISSUE_NOTICES in caps and task.status in services.DISMISSABLE,
        "escalate": ISSUE_NOTICES in caps
        and task.status in services.ESCALATABLE
        and task.subject_type != Task.SubjectType.PERSON,
        "note": WORK_TASKS in caps,
        "reveal": REVEAL_PERSONAL in caps,
    }


# The action a task's status calls for first (the page's one primary button), and the
# order of the others; the destructive ones come last, behind a confirmation.
PRIMARY_FOR_STATUS: dict[str, str] = {
    Task.Status.OPEN.value: "assign",
    Task.Status.ASSIGNED.value: "contact",
    Task.Status.CONTACTED.value: "notice",
    Task.Status.NOTICE_ISSUED.value: "rectify",
    Task.Status.ESCALATED.value: "rectify",
}
ACTION_ORDER = ("assign", "contact", "notice", "rectify", "note")
DESTRUCTIVE = ("dismiss", "escalate")


def _action_plan(task: Task, can: dict[str, bool]) -> tuple[str, list[str], list[str]]:
    """(primary, secondary, destructive) action keys this user may take now."""
    allowed = [a for a in ACTION_ORDER if can[a]]
    primary = PRIMARY_FOR_STATUS.get(task.status, "")
    if primary not in allowed:
        primary = next((a for a in allowed if a != "note"), allowed[0] if allowed else "")
    return primary, [a for a in allowed if a != primary], [a for a in DESTRUCTIVE if can[a]]


# The path a task walks; the last step is how it ended (or the ways it can end).
PATH = (Task.Status.OPEN, Task.Status.ASSIGNED, Task.Status.CONTACTED, Task.Status.NOTICE_ISSUED)
REACHED_BY_EVENT: dict[str, str] = {
    TaskEvent.Kind.ASSIGNED.value: Task.Status.ASSIGNED.value,
    TaskEvent.Kind.CONTACTED.value: Task.Status.CONTACTED.value,
    TaskEvent.Kind.NOTICE_ISSUED.value: Task.Status.NOTICE_ISSUED.value,
}


def _status_path(task: Task, events: list[TaskEvent]) -> list[dict[str, str]]:
    """The steps of the status path, each "done", "current", "todo" or "skipped"."""
    labels = _labels()
    reached = {Task.Status.OPEN.value} | {
        REACHED_BY_EVENT[e.kind] for e in events if e.kind in REACHED_BY_EVENT
    }
    ended = task.status in (Task.Status.ESCALATED, Task.Status.CLOSED)
    position = len(PATH) if ended else PATH.index(Task.Status(task.status))
    steps = []
    for i, status in enumerate(PATH):
        if i == position:
            state = "current"
        elif i > position:
            state = "todo"
        else:
            state = "done" if (not ended or status in reached) else "skipped"
        steps.append({"state": state, "label": labels["status"][status]})
    if task.status == Task.Status.CLOSED:
        end = labels["resolution"].get(task.resolution) or labels["status"][task.status]
    elif task.status == Task.Status.ESCALATED:
        end = _("已移交立案")
    else:
        end = _("办结：已整改 / 已移交立案 / 不予处理")
    steps.append({"state": "current" if ended else "todo", "label": str(end)})
    return steps


def _held_by_district(task: Task, events: list[TaskEvent]) -> bool:
    """Whether the task's last assignment was the district fallback (its caseworkers, or
    a named colleague) rather than a street worker."""
    assigned = [e for e in events if e.kind == TaskEvent.Kind.ASSIGNED]
    return bool(assigned and (assigned[-1].data or {}).get("district_queue"))


def _action_choices(task: Task, can: dict[str, bool], notices: list[Notice]) -> dict[str, Any]:
    """What the action forms offer. They are written out in the template (rendering Django
    form widgets costs more than the rest of the page); the forms validate, and a bound
    form that failed gives its errors and values back. Without a street worker account on
    the task's street, assigning falls back to the district (services.task_assign_in_district)."""
    staff = _staff_options(
        selectors.street_staff_list(street_code=task.street_id).select_related("street")
        if can["assign"]
        else []
    )
    colleagues = (
        [(u.pk, str(u)) for u in services.district_colleagues_list(task=task)]
        if can["assign"] and not staff
        else []
    )
    return {
        "staff_options": staff,
        "colleague_options": colleagues,
        "channels": list(services.CONTACT_CHANNELS.items()),
        "outcomes": list(services.CONTACT_OUTCOMES.items()),
        "notice_kinds": [(k, str(v)) for k, v in Notice.Kind.choices],
        "notice_defaults": {
            "kind": default_notice_kind(task.kind),
            "deadline": NoticeForm.default_deadline(),
            "issuing_office": issuing_office_of(task),
            "seen": len(notices),
        },
        "dismiss_reasons": [(k, str(v)) for k, v in services.dismiss_reasons_for(task.subject_type)],
    }


def _task_context(
    request: AuthedRequest, task: Task, *, failed: forms.Form | None = None, open_form: str = ""
) -> dict[str, Any]:
    caps = _caps(request.user)
    sources, aspects = selectors.subject_sources_get(task=task)
    _aspect_cells(aspects)
    can = _task_permissions(task, caps)
    is_active = task.status != Task.Status.CLOSED
    events = list(selectors.task_events_list(task=task))
    notices = list(task.notices.select_related("issued_by").all())
    primary, secondary, destructive = _action_plan(task, can)
    return {
        "task": task,
        "caps": caps,
        "can": can,
        "why": why_sentence(task.kind, task.evidence),
        "next_step": next_step(task.kind, task.status),
        "status_path": _status_path(task, events),
        "held_by_district": _held_by_district(task, events),
        "primary_action": primary,
        "secondary_actions": secondary,
        "destructive_actions": destructive,
        "sources": sources,
        "aspects": aspects,
        "compare_stack": _compare_stack(sources, aspects),
        "evidence": evidence_items(task.evidence),
        "events": events,
        "notices": notices,
        "cases": task.cases.all(),
        "display_key": privacy.mask_subject_key(task.subject_type, task.subject_key),
        "is_person": task.subject_type == Task.SubjectType.PERSON,
        "is_active": is_active,
        "overdue": bool(task.due_date and task.due_date < timezone.localdate() and is_active),
        "has_phone": any(a.personal == "phone" and any(a.values) for a in aspects),
        "failed": failed,
        "open_form": open_form,
        **_action_choices(task, can, notices),
    }


@login_required
@require_GET
def task_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.task_get_for_user(user=request.user, pk=pk)
    return render(request, "enforcement/task_detail.html", _task_context(request, task))


def _action(
    request: AuthedRequest,
    pk: int,
    *,
    cap: str,
    form_class: Callable[..., forms.Form],
    form_key: str,
    run: Callable[[Task, dict[str, Any]], object],
    ok: str,
    form_kwargs: Callable[[Task], dict[str, Any]] | None = None,
) -> HttpResponse:
    """The common shape of a task action: 404 outside the jurisdiction, 403 without the
    capability, a form error re-renders the page (400), a service refusal is a message."""
    task = selectors.task_get_for_user(user=request.user, pk=pk)
    access.require(request.user, cap)
    form = form_class(request.POST, **(form_kwargs(task) if form_kwargs else {}))
    if not form.is_valid():
        ctx = _task_context(request, task, failed=form, open_form=form_key)
        return render(request, "enforcement/task_detail.html", ctx, status=400)
    try:
        run(task, form.cleaned_data)
    except services.TaskError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, ok)
    return redirect(safe_next(request, reverse("enforcement:task", args=[task.pk])))


@login_required
@require_POST
def task_assign(request: AuthedRequest, pk: int) -> HttpResponse:
    if "to" in request.POST:  # the fallback: the street has no street worker account
        return _action(
            request,
            pk,
            cap=ASSIGN_TASKS,
            form_class=DistrictAssignForm,
            form_key="assign_form",
            form_kwargs=lambda task: {"colleagues": services.district_colleagues_list(task=task)},
            run=lambda task, data: services.task_assign_in_district(
                task=task, actor=request.user, colleague=data["to"]
            ),
            ok=_("已交由区级经办人员办理"),
        )
    return _action(
        request,
        pk,
        cap=ASSIGN_TASKS,
        form_class=AssignForm,
        form_key="assign_form",
        form_kwargs=lambda task: {"staff": selectors.street_staff_list(street_code=task.street_id)},
        run=lambda task, data: services.task_assign(task=task, actor=request.user, assignee=data["assignee"]),
        ok=_("已分派"),
    )


@login_required
@require_POST
def task_contact(request: AuthedRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        cap=WORK_TASKS,
        form_class=ContactForm,
        form_key="contact_form",
        run=lambda task, data: services.task_record_contact(task=task, actor=request.user, **data),
        ok=_("已记录联系情况"),
    )


@login_required
@require_POST
def task_notice(request: AuthedRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        cap=ISSUE_NOTICES,
        form_class=NoticeForm,
        form_key="notice_form",
        run=lambda task, data: services.notice_issue(task=task, actor=request.user, **data),
        ok=_("告知书已生成"),
    )


@login_required
@require_POST
def task_rectify(request: AuthedRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        cap=WORK_TASKS,
        form_class=RectifyForm,
        form_key="rectify_form",
        run=lambda task, data: services.task_mark_rectified(task=task, actor=request.user, **data),
        ok=_("已标记为整改完成"),
    )


@login_required
@require_POST
def task_dismiss(request: AuthedRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        cap=ISSUE_NOTICES,
        form_class=DismissForm,
        form_key="dismiss_form",
        form_kwargs=lambda task: {"subject_type": task.subject_type},
        run=lambda task, data: services.task_dismiss(
            task=task, actor=request.user, reason_code=data["reason_code"], note=data["note"]
        ),
        ok=_("已作不予处理"),
    )


@login_required
@require_POST
def task_escalate(request: AuthedRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        cap=ISSUE_NOTICES,
        form_class=EscalateForm,
        form_key="escalate_form",
        run=lambda task, data: services.task_escalate(task=task, actor=request.user, note=data["note"]),
        ok=_("已移交劳动保障监察立案"),
    )


@login_required
@require_POST
def task_note(request: AuthedRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        cap=WORK_TASKS,
        form_class=NoteForm,
        form_key="note_form",
        run=lambda task, data: services.task_add_note(task=task, actor=request.user, **data),
        ok=_("已添加备注"),
    )


@login_required
@require_POST
def task_reveal(request: AuthedRequest, pk: int, field: str) -> HttpResponse:
    """htmx: the unmasked ID number or phone, logged in the access log."""
    task = selectors.task_get_for_user(user=request.user, pk=pk)
    access.require(request.user, REVEAL_PERSONAL)
    if field not in ("id_number", "phone"):
        raise Http404("no such field")
    value = services.personal_reveal(
        task=task,
        actor=request.user,
        field_name=field,
        ip=client_ip(request),
        context=request.POST.get("context") or f"task {task.pk}",
    )
    return render(request, "enforcement/_revealed.html", {"value": value, "field": field})


@login_required
@require_GET
def notice_pdf(request: AuthedRequest, pk: int) -> HttpResponseBase:
    notice = selectors.notice_get_for_user(user=request.user, pk=pk)
    if not notice.pdf:
        raise Http404("the PDF is missing")
    return FileResponse(
        notice.pdf.open("rb"), content_type="application/pdf", filename=f"notice-{notice.pk}.pdf"
    )


# --- Street work (phone) ---------------------------------------------------------------
# The street worker's list and visit form (390 px first). The list's state (tab, search)
# rides along in the query string of every link, so that after a visit the worker lands
# on the next task of the same list.

_STREET_MODES = {"1": True, "0": False}


def _street_state(request: AuthedRequest) -> dict[str, str]:
    """The list's tab and search from the query string (the visit page's too)."""
    state = {}
    if request.GET.get("mine") in _STREET_MODES:
        state["mine"] = request.GET["mine"]
    for key in ("q", "person"):
        value = (request.GET.get(key) or "").strip()[:SEARCH_MAX_CHARS]
        if value:
            state[key] = value
    return state


def _street_cards(
    rows: list[dict[str, Any]], facts: dict[int, selectors.StreetCardFacts], state: dict[str, str]
) -> list[dict[str, Any]]:
    labels, today = _labels(), timezone.localdate()
    qs = f"?{urlencode(state)}" if state else ""
    visit_url = reverse("enforcement:street-visit", args=[0]).removesuffix("0/visit/")
    cards = []
    for row in rows:
        due, fact = row["due_date"], facts[row["id"]]
        cards.append(
            {
                "pk": row["id"],
                "name": row["subject_name"]
                or privacy.mask_subject_key(row["subject_type"], row["subject_key"]),
                "kind_label": labels["kind"].get(row["kind"], row["kind"]),
                "status": row["status"],
                "status_label": labels["status"].get(row["status"], row["status"]),
                "high": row["priority"] == Task.Priority.HIGH,
                "due": due.strftime("%Y-%m-%d") if due else "",
                "overdue": bool(due and due < today),
                "address": fact.address,
                "community": fact.community,
                "phone": fact.phone_masked,
                "visit_url": f"{visit_url}{row['id']}/visit/{qs}",
            }
        )
    return cards


def _street_page_links(state: dict[str, str], number: int, pages: int) -> dict[str, str]:
    def link(n: int) -> str:
        return "?" + urlencode({**state, "page": n})

    return {
        "prev": link(number - 1) if number > 1 else "",
        "next": link(number + 1) if number < pages else "",
    }


@login_required
@require_http_methods(["GET", "POST"])
def street_list(request: AuthedRequest) -> HttpResponse:
    """The street worker's list: assigned to me when something is, else the whole street;
    by priority then due date, with where to go and whom to call on each card."""
    access.require(request.user, WORK_TASKS)
    if request.method == "POST":  # the search form: no typed ID number in the next URL
        return search_post_redirect(
            request,
            url=reverse("enforcement:street"),
            person_pk_of=lambda text: selectors.person_pk_get_by_key(user=request.user, text=text),
        )
    state, error = _street_state(request), ""
    mine = _STREET_MODES.get(state.get("mine", ""))
    try:
        page = selectors.street_page_get(
            user=request.user, filters=state, mine=mine, page=_page_number(request)
        )
    except FilterError as exc:
        error, state = str(exc), {k: v for k, v in state.items() if k == "mine"}
        page = selectors.street_page_get(user=request.user, filters={}, mine=mine, page=1)
    shown = {**state, "mine": "1" if page.mine else "0"}  # the visit links name the tab shown
    facts = selectors.street_card_facts_get(rows=page.rows)
    street = request.user.street if request.user.street_id else None
    ctx = {
        "tasks": _street_cards(page.rows, facts, shown),
        "page": page,
        "links": _street_page_links(shown, page.number, page.pages),
        "q": state.get("q", ""),
        "searching": bool(state.get("q") or state.get("person")),
        "street": street,
        "error": error,
        "mine_qs": urlencode({**state, "mine": "1"}),
        "all_qs": urlencode({**state, "mine": "0"}),
    }
    return render(request, "enforcement/street_list.html", ctx, status=400 if error else 200)


def _street_visit_context(request: AuthedRequest, task: Task, form: ContactForm) -> dict[str, Any]:
    """The visit page reads less than the task page: the subject's card facts (one phone,
    the one the call button reveals), the evidence and the timeline."""
    state = _street_state(request)
    row = {"id": task.pk, "subject_type": task.subject_type, "subject_key": task.subject_key}
    caps = _caps(request.user)
    is_active = task.status != Task.Status.CLOSED
    return {
        "task": task,
        "facts": selectors.street_card_facts_get(rows=[row])[task.pk],
        "display_key": privacy.mask_subject_key(task.subject_type, task.subject_key),
        "evidence": evidence_items(task.evidence),
        "events": selectors.task_events_list(task=task),
        "outcomes": list(services.CONTACT_OUTCOMES.items()),
        "can": {
            "contact": WORK_TASKS in caps and task.status in services.CONTACTABLE,
            "reveal": REVEAL_PERSONAL in caps,
        },
        "overdue": bool(task.due_date and task.due_date < timezone.localdate() and is_active),
        "visit_form": form,
        "list_qs": f"?{urlencode(state)}" if state else "",
    }


def _street_after_visit(request: AuthedRequest, task: Task) -> HttpResponse:
    """The next task of the same list, or the list with "all done"."""
    state = _street_state(request)
    if "mine" in state:
        mine = state["mine"] == "1"
    else:  # came from elsewhere: the list's own default
        mine = selectors.street_scope(user=request.user, filters=state).filter(assignee=request.user).exists()
    state["mine"] = "1" if mine else "0"
    try:
        next_pk = selectors.street_next_task_get(user=request.user, filters=state, mine=mine, after=task)
    except FilterError:
        state, next_pk = {"mine": state["mine"]}, None
    query = urlencode(state)
    if next_pk is not None:
        return redirect(f"{reverse('enforcement:street-visit', args=[next_pk])}?{query}")
    if state.get("q") or state.get("person"):
        messages.info(request, _("符合条件的任务已全部处理"))
    elif mine:
        messages.info(request, _("分派给您的任务已全部处理"))
    else:
        messages.info(request, _("本街道任务已全部处理"))
    return redirect(f"{reverse('enforcement:street')}?{query}")


@login_required
@require_http_methods(["GET", "POST"])
def street_visit(request: AuthedRequest, pk: int) -> HttpResponse:
    """One task on a phone: who, where, whom to call, and a visit in two taps; then the
    next task of the list."""
    task = selectors.task_get_for_user(user=request.user, pk=pk)
    access.require(request.user, WORK_TASKS)
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                services.task_record_contact(task=task, actor=request.user, **form.cleaned_data)
            except services.TaskError as exc:  # closed meanwhile: the page says why
                messages.error(request, str(exc))
            else:
                messages.success(request, _("走访已记录"))
                return _street_after_visit(request, task)
        status = 400
    else:
        form, status = ContactForm(initial={"channel": "visit"}), 200
    ctx = _street_visit_context(request, task, form)
    return render(request, "enforcement/street_visit.html", ctx, status=status)


@login_required
@require_POST
def street_call(request: AuthedRequest, pk: int) -> HttpResponse:
    """The call button: the subject's phone through the logged reveal, as a tel: link
    (an htmx swap on the card; a small page without JavaScript)."""
    task = selectors.task_get_for_user(user=request.user, pk=pk)
    access.require(request.user, REVEAL_PERSONAL)
    phone = services.personal_reveal(
        task=task,
        actor=request.user,
        field_name="phone",
        ip=client_ip(request),
        context=f"call task {task.pk}",
    )
    ctx = {"task": task, "phone": phone}
    if request.htmx:
        return render(request, "enforcement/_call.html", ctx)
    return render(request, "enforcement/street_call.html", ctx)
