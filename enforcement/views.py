"""Pages of the caseworker's portal: dashboard, queue (with bulk assignment and XLSX
export), the task page with its actions, notices, and the street worker's phone pages.

Views are thin: they parse input, ask the access helper, call a selector or a service,
and render. A task outside the user's jurisdiction is a 404."""

from __future__ import annotations

import functools
import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enforcement import selectors, services
from enforcement.forms import (
    AssignForm,
    BulkAssignForm,
    ContactForm,
    DismissForm,
    EscalateForm,
    NoteForm,
    NoticeForm,
    RectifyForm,
)
from enforcement.models import Notice, Task, TaskKind
from enforcement.notices import default_notice_kind, evidence_items, issuing_office_of
from enforcement.templatetags.portal_tags import cell
from enrollment.exports import safe_cell
from wuhai_coverage.core import access, privacy
from wuhai_coverage.core.http import client_ip, safe_next, search_post_redirect
from wuhai_coverage.core.models import Street
from wuhai_coverage.core.roles import (
    ASSIGN_TASKS,
    ISSUE_NOTICES,
    REVEAL_PERSONAL,
    VIEW_TASKS,
    WORK_TASKS,
    capabilities_of,
)

PAGE_SIZE = 50
# The queue counts matches only up to this many (a COUNT over 200k rows on every page
# view is the slowest part of the page); beyond it the page says "5000+".
COUNT_CAP = 5_000
# The XLSX export streams at most this many rows (write_only keeps memory flat).
EXPORT_MAX_ROWS = 100_000


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


def _decorate(tasks, today) -> None:
    labels = _labels()
    for t in tasks:
        t.display_key = privacy.mask_subject_key(t.subject_type, t.subject_key)
        t.overdue = bool(t.due_date and t.due_date < today and t.status != Task.Status.CLOSED)
        t.kind_label = labels["kind"].get(t.kind, t.kind)
        t.status_label = labels["status"].get(t.status, t.status)
        t.priority_label = labels["priority"].get(t.priority, t.priority)
        t.resolution_label = labels["resolution"].get(t.resolution, "") if t.resolution else ""


def _staff_options(staff) -> list[tuple[int, str]]:
    return [(u.pk, f"{u}（{u.street.name}）" if u.street_id else str(u)) for u in staff]


def _caps(user) -> set[str]:
    return set(capabilities_of(user.role))


# --- Dashboard -------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    ctx = {"jurisdiction": access.jurisdiction_of(user), "caps": _caps(user)}
    if access.has(user, VIEW_TASKS):
        ctx["d"] = selectors.dashboard(user=user)
        ctx["statuses"] = [(s, Task.Status(s).label) for s in selectors.ACTIVE_STATUSES]
    return render(request, "enforcement/dashboard.html", ctx)


# --- The queue -------------------------------------------------------------------------


def _filters_or_400(request: HttpRequest):
    try:
        return selectors.TaskFilters.from_params(request.GET), None
    except selectors.FilterError as exc:
        return selectors.TaskFilters(), str(exc)


def _streets_for(user):
    j = access.jurisdiction_of(user)
    qs = Street.objects.select_related("district").order_by("code")
    if j.city:
        return qs
    if j.street_code:
        return qs.filter(code=j.street_code)
    if j.district_code:
        return qs.filter(district_id=j.district_code)
    return qs.none()


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page") or 1))
    except ValueError:
        return 1


# The columns of a queue row: read as values() (no model instances for 50 rows), then
# every cell formatted once in Python, so that the template only prints dict entries.
QUEUE_FIELDS = (
    "id",
    "kind",
    "status",
    "priority",
    "resolution",
    "subject_type",
    "subject_key",
    "subject_name",
    "street_id",
    "street__name",
    "assignee__username",
    "opened_at",
    "due_date",
)


def _queue_rows(rows: list[dict], today, no_street: str) -> list[dict]:
    """The printed cells of the queue's rows (what `_decorate` and the template filters
    made of Task instances, computed once per row)."""
    labels = _labels()
    kinds, statuses, prios, resolutions = (
        labels["kind"],
        labels["status"],
        labels["priority"],
        labels["resolution"],
    )
    task_url = reverse("enforcement:task", args=[0]).removesuffix("0/")  # "/tasks/" + pk + "/"
    tz = timezone.get_current_timezone()
    closed = Task.Status.CLOSED
    out = []
    for r in rows:
        key = privacy.mask_subject_key(r["subject_type"], r["subject_key"])
        due = r["due_date"]
        opened = r["opened_at"]
        out.append(
            {
                "pk": r["id"],
                "url": f"{task_url}{r['id']}/",
                "name": r["subject_name"] or key,
                "display_key": key,
                "kind_label": kinds.get(r["kind"], r["kind"]),
                "status": r["status"],
                "status_label": statuses.get(r["status"], r["status"]),
                "resolution": r["resolution"],
                "resolution_label": resolutions.get(r["resolution"], "") if r["resolution"] else "",
                "priority": r["priority"],
                "priority_label": prios.get(r["priority"], r["priority"]),
                "street": r["street__name"] if r["street_id"] else no_street,
                "assignee": r["assignee__username"] or "—",
                "opened": opened.astimezone(tz).strftime("%Y-%m-%d") if opened else "",
                "due": due.strftime("%Y-%m-%d") if due else "—",
                "overdue": bool(due and due < today and r["status"] != closed),
            }
        )
    return out


@login_required
@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest) -> HttpResponse:
    access.require(request.user, VIEW_TASKS)
    if request.method == "POST":  # the filter form: no typed ID number in the next URL
        return search_post_redirect(
            request,
            url=reverse("enforcement:queue"),
            person_pk_of=lambda text: (selectors.person_pk_of_key(user=request.user, text=text)),
        )
    f, error = _filters_or_400(request)
    person_pk = selectors.person_pk_of_key(user=request.user, text=f.q) if not error else None
    if person_pk is not None:
        # A whole ID number typed into the search: continue on the person's registry pk, so
        # that the address bar, the history, the pager and the export links hold no key.
        params = request.GET.copy()
        params.pop("q", None)
        params["person"] = str(person_pk)
        return redirect(f"{reverse('enforcement:queue')}?{params.urlencode()}")
    qs = selectors.task_list(user=request.user, filters=f)
    page = _page_number(request)
    offset = (page - 1) * PAGE_SIZE
    rows = list(qs.values(*QUEUE_FIELDS)[offset : offset + PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    capped_count = qs.order_by()[: COUNT_CAP + 1].count()
    params = {k: v for k, v in request.GET.items() if k not in ("page",) and v}
    base = urlencode(params)
    sort_params = {k: v for k, v in params.items() if k != "sort"}
    ctx = {
        "tasks": _queue_rows(rows, timezone.localdate(), _("未落街道")),
        "f": f,
        "error": error,
        "page": page,
        "has_next": has_next,
        "count": min(capped_count, COUNT_CAP),
        "count_capped": capped_count > COUNT_CAP,
        "first_index": offset + 1 if rows else 0,
        "last_index": offset + len(rows),
        "qs_base": base,
        "qs_sort": urlencode(sort_params),
        "kinds": TaskKind.choices,
        "statuses": Task.Status.choices,
        "priorities": Task.Priority.choices,
        "streets": _streets_for(request.user),
        "caps": _caps(request.user),
        "sorts": selectors.SORTS.keys(),
        "overdue_label": _("逾期"),
    }
    if access.has(request.user, ASSIGN_TASKS):
        ctx["bulk_staff"] = _staff_options(selectors.assignable_staff(user=request.user))
    ctx["bulk_staff_offered"] = "bulk_staff" in ctx
    status = 400 if error else 200
    return render(request, "enforcement/queue.html", ctx, status=status)


@login_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    access.require(request.user, ASSIGN_TASKS)
    form = BulkAssignForm(request.POST, staff=selectors.assignable_staff(user=request.user))
    back = safe_next(request, reverse("enforcement:queue"))
    if not form.is_valid():
        messages.error(request, "请选择街道工作人员 / choose a street worker")
        return redirect(back)
    try:
        ids = [int(x) for x in (form.cleaned_data["ids"] or "").replace(",", " ").split()]
    except ValueError:
        return HttpResponseBadRequest("ids: 任务编号应为整数 / task ids are integers")
    ids += [int(x) for x in request.POST.getlist("task") if x.isdigit()]
    if not ids:
        messages.error(request, "请勾选要分派的任务 / tick the tasks to assign")
        return redirect(back)
    scoped = selectors.task_scope(user=request.user).filter(pk__in=ids)
    try:
        result = services.task_bulk_assign(
            tasks=scoped, actor=request.user, assignee=form.cleaned_data["assignee"]
        )
    except services.TaskError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(
        request,
        f"已分派 {result['assigned']} 条，跳过 {result['skipped']} 条（不属于该街道或已办结） / "
        f"assigned {result['assigned']}, skipped {result['skipped']}",
    )
    return redirect(back)


EXPORT_COLUMNS = (
    "编号 ID",
    "任务类型 Kind",
    "状态 Status",
    "优先级 Priority",
    "对象类型 Subject type",
    "对象编码 Key",
    "对象名称 Name",
    "区 District",
    "街道 Street",
    "经办人 Assignee",
    "生成时间 Opened",
    "办理期限 Due",
    "办结方式 Resolution",
)


@login_required
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    access.require(request.user, VIEW_TASKS)
    f, error = _filters_or_400(request)
    if error:
        return HttpResponseBadRequest(error)
    qs = selectors.task_list(user=request.user, filters=f)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("核查任务")
    ws.append(EXPORT_COLUMNS)
    kinds, statuses = dict(TaskKind.choices), dict(Task.Status.choices)
    prios, resolutions = dict(Task.Priority.choices), dict(Task.Resolution.choices)
    subject_types = dict(Task.SubjectType.choices)
    tz = timezone.get_current_timezone()
    fields = (
        "id",
        "kind",
        "status",
        "priority",
        "subject_type",
        "subject_key",
        "subject_name",
        "district__name",
        "street__name",
        "assignee__username",
        "opened_at",
        "due_date",
        "resolution",
    )
    for row in qs.values_list(*fields)[:EXPORT_MAX_ROWS].iterator(chunk_size=2000):
        (pk, kind, status, prio, stype, key, name, district, street, assignee, opened, due, res) = row
        key = privacy.mask_subject_key(stype, key)  # an export is not a logged reveal
        ws.append(
            [
                safe_cell(v)
                for v in (
                    pk,
                    str(kinds.get(kind, kind)),
                    str(statuses.get(status, status)),
                    str(prios.get(prio, prio)),
                    str(subject_types.get(stype, stype)),
                    key,
                    name,
                    district or "",
                    street or "",
                    assignee or "",
                    opened.astimezone(tz).replace(tzinfo=None) if opened else None,
                    due,
                    str(resolutions.get(res, res or "")),
                )
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    name = f"tasks-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(
        buf,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- The task page ---------------------------------------------------------------------


def _task_context(request: HttpRequest, task: Task, **forms) -> dict:
    user = request.user
    caps = _caps(user)
    sources, aspects = selectors.subject_sources(task=task)
    for a in aspects:
        if a.personal:
            a.display = [privacy.mask(v, a.personal) if v else v for v in a.values]
        else:
            a.display = a.values
        # (css class, value) per source: the cell's text computed once here (portal_tags.cell),
        # the masked values left to the template's reveal button.
        a.cells = [
            (
                "diff" if a.mismatch and v is not None and v != "" else "",
                v if (a.revealable and v) else cell(v),
            )
            for v in a.display
        ]
    is_person = task.subject_type == Task.SubjectType.PERSON
    ctx = {
        "task": task,
        "caps": caps,
        "sources": sources,
        "aspects": aspects,
        "evidence": evidence_items(task.evidence),
        "events": selectors.task_timeline(task=task),
        "notices": task.notices.select_related("issued_by").all(),
        "cases": task.cases.all(),
        "display_key": privacy.mask_subject_key(task.subject_type, task.subject_key),
        "is_person": is_person,
        "is_active": task.status != Task.Status.CLOSED,
        "overdue": bool(
            task.due_date and task.due_date < timezone.localdate() and task.status != Task.Status.CLOSED
        ),
        "has_phone": any(a.personal == "phone" and any(a.values) for a in aspects),
        "can": {
            "assign": ASSIGN_TASKS in caps and task.status in services.ASSIGNABLE,
            "contact": WORK_TASKS in caps and task.status in services.CONTACTABLE,
            "notice": ISSUE_NOTICES in caps and task.status in services.NOTICEABLE,
            "rectify": WORK_TASKS in caps and task.status in services.RECTIFIABLE,
            "dismiss": ISSUE_NOTICES in caps and task.status in services.DISMISSABLE,
            "escalate": ISSUE_NOTICES in caps and task.status in services.ESCALATABLE and not is_person,
            "note": WORK_TASKS in caps,
            "reveal": REVEAL_PERSONAL in caps,
        },
    }
    # The action forms are written out in the template (rendering Django form widgets
    # costs more than the rest of the page); the forms validate, and a bound form that
    # failed gives its errors and values back.
    ctx["staff_options"] = (
        _staff_options(selectors.street_staff_for(street_code=task.street_id).select_related("street"))
        if ctx["can"]["assign"]
        else []
    )
    ctx["channels"] = list(services.CONTACT_CHANNELS.items())
    ctx["outcomes"] = list(services.CONTACT_OUTCOMES.items())
    ctx["notice_kinds"] = [(k, str(v)) for k, v in Notice.Kind.choices]
    ctx["notice_defaults"] = {
        "kind": default_notice_kind(task.kind),
        "deadline": NoticeForm.default_deadline(),
        "issuing_office": issuing_office_of(task),
    }
    ctx["failed"] = forms.get("failed")
    ctx["open_form"] = forms.get("open_form", "")
    return ctx


@login_required
@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get_for_user(user=request.user, pk=pk)
    return render(request, "enforcement/task_detail.html", _task_context(request, task))


def _action(
    request: HttpRequest,
    pk: int,
    *,
    cap: str,
    form_class,
    form_key: str,
    run,
    ok: str,
    form_kwargs=None,
    template="enforcement/task_detail.html",
):
    """The common shape of a task action: 404 outside the jurisdiction, 403 without the
    capability, a form error re-renders the page (400), a service refusal is a message."""
    task = selectors.task_get_for_user(user=request.user, pk=pk)
    access.require(request.user, cap)
    form = form_class(request.POST, **(form_kwargs(task) if form_kwargs else {}))
    if not form.is_valid():
        ctx = _task_context(request, task, failed=form, open_form=form_key)
        return render(request, template, ctx, status=400)
    try:
        run(task, form.cleaned_data)
    except services.TaskError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, ok)
    return redirect(safe_next(request, reverse("enforcement:task", args=[task.pk])))


@login_required
@require_POST
def task_assign(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        cap=ASSIGN_TASKS,
        form_class=AssignForm,
        form_key="assign_form",
        form_kwargs=lambda t: {"staff": selectors.street_staff_for(street_code=t.street_id)},
        run=lambda t, d: services.task_assign(task=t, actor=request.user, assignee=d["assignee"]),
        ok="已分派 / assigned",
    )


@login_required
@require_POST
def task_contact(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        cap=WORK_TASKS,
        form_class=ContactForm,
        form_key="contact_form",
        run=lambda t, d: services.task_record_contact(
            task=t, actor=request.user, channel=d["channel"], outcome=d["outcome"], note=d["note"]
        ),
        ok="已记录联系情况 / contact recorded",
    )


@login_required
@require_POST
def task_notice(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        cap=ISSUE_NOTICES,
        form_class=NoticeForm,
        form_key="notice_form",
        run=lambda t, d: services.notice_issue(
            task=t,
            actor=request.user,
            deadline=d["deadline"],
            kind=d["kind"],
            issuing_office=d["issuing_office"],
        ),
        ok="告知书已生成 / notice issued",
    )


@login_required
@require_POST
def task_rectify(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        cap=WORK_TASKS,
        form_class=RectifyForm,
        form_key="rectify_form",
        run=lambda t, d: services.task_mark_rectified(
            task=t, actor=request.user, what_changed=d["what_changed"]
        ),
        ok="已标记为整改完成 / marked rectified",
    )


@login_required
@require_POST
def task_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        cap=ISSUE_NOTICES,
        form_class=DismissForm,
        form_key="dismiss_form",
        run=lambda t, d: services.task_dismiss(task=t, actor=request.user, reason=d["reason"]),
        ok="已作不予处理 / dismissed",
    )


@login_required
@require_POST
def task_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        cap=ISSUE_NOTICES,
        form_class=EscalateForm,
        form_key="escalate_form",
        run=lambda t, d: services.task_escalate(task=t, actor=request.user, note=d["note"]),
        ok="已移交劳动保障监察立案 / escalated to an enforcement case",
    )


@login_required
@require_POST
def task_note(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        cap=WORK_TASKS,
        form_class=NoteForm,
        form_key="note_form",
        run=lambda t, d: services.task_add_note(task=t, actor=request.user, note=d["note"]),
        ok="已添加备注 / note added",
    )


@login_required
@require_POST
def task_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
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
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    notice = Notice.objects.select_related("task").filter(pk=pk, task__isnull=False).first()
    if notice is None:
        raise Http404("no such notice")
    selectors.task_get_for_user(user=request.user, pk=notice.task_id)  # 404 outside the jurisdiction
    if not notice.pdf:
        raise Http404("the PDF is missing")
    return FileResponse(
        notice.pdf.open("rb"), content_type="application/pdf", filename=f"notice-{notice.pk}.pdf"
    )


# --- Street work (phone) ---------------------------------------------------------------

STREET_PAGE_SIZE = 30


@login_required
@require_GET
def street_list(request: HttpRequest) -> HttpResponse:
    """The street worker's list: mine first, then the street's unassigned, by due date."""
    access.require(request.user, WORK_TASKS)
    mine = request.GET.get("mine") != "0"
    f = selectors.TaskFilters(
        assignee="me" if mine else "", sort="due_date", q=(request.GET.get("q") or "")[:100]
    )
    tasks = list(selectors.task_list(user=request.user, filters=f)[:STREET_PAGE_SIZE])
    _decorate(tasks, timezone.localdate())
    return render(request, "enforcement/street_list.html", {"tasks": tasks, "mine": mine, "q": f.q})


@login_required
def street_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """One task on a phone: who, where, the evidence, and a visit in two taps."""
    task = selectors.task_get_for_user(user=request.user, pk=pk)
    access.require(request.user, WORK_TASKS)
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                services.task_record_contact(
                    task=task,
                    actor=request.user,
                    channel=form.cleaned_data["channel"],
                    outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["note"],
                )
            except services.TaskError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "走访已记录 / visit recorded")
                return redirect("enforcement:street")
        status = 400
    else:
        form = ContactForm(initial={"channel": "visit"})
        status = 200
    ctx = _task_context(request, task)
    ctx["visit_form"] = form
    ctx["outcomes"] = list(services.CONTACT_OUTCOMES.items())
    return render(request, "enforcement/street_visit.html", ctx, status=status)
