"""The runs page: each comparison run's as-of date, duration, progress while it runs
(htmx polling), opened / closed / open per kind, skipped rules and why, per-rule seconds;
and the thresholds page where a city manager edits the parameters and A."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enforcement.comparison.parameters import THRESHOLDS, average_wage_for, stored_thresholds
from enforcement.comparison.services import RunInProgress, comparison_request_run
from enforcement.forms_runs import RuleParametersForm
from enforcement.kinds import KINDS
from enforcement.models import ComparisonRun, RuleParameter, RuleParameterChange, RuleRun
from wuhai_coverage.core import access
from wuhai_coverage.core.http import AuthedRequest
from wuhai_coverage.core.models import AverageWage
from wuhai_coverage.core.roles import EDIT_SETTINGS, RUN_COMPARISON, VIEW_TASKS

BAR_WIDTH = 260  # px of the longest bar in the per-kind chart
RUNS_SHOWN = 60
CHANGES_SHOWN = 20


def _kind_rows(run: ComparisonRun) -> list[dict]:
    skipped = {s["rule"]: s["reason"] for s in run.skipped or []}
    rule_runs = {r.kind: r for r in run.rule_runs.all()}
    rows = []
    peak = max([1, *(int(v) for d in (run.opened, run.closed, run.open) for v in (d or {}).values())])
    for code, spec in KINDS.items():
        o, c, n = (int((d or {}).get(code, 0)) for d in (run.opened, run.closed, run.open))
        rows.append(
            {
                "kind": code,
                "label": spec.label,
                "opened": o,
                "closed": c,
                "open": n,
                "seconds": (run.rule_seconds or {}).get(code),
                "skipped": skipped.get(code),
                "rule_run": rule_runs.get(code),
                "unchanged": code in rule_runs and rule_runs[code].status == RuleRun.Status.UNCHANGED,
                "batches": sorted((rule_runs[code].inputs or {}).get("batches", {}).items())
                if code in rule_runs
                else [],
                "w_open": round(BAR_WIDTH * n / peak, 1),
                "w_opened": round(BAR_WIDTH * o / peak, 1),
                "w_closed": round(BAR_WIDTH * c / peak, 1),
            }
        )
    return rows


def _part_rows(run: ComparisonRun) -> list[dict]:
    """The parts of a fanned-out run (engine.py → the fan-out) as the page lists them: what
    each evaluates, its state, the worker that took it, its executions and seconds."""
    from wuhai_coverage.core.labels import fact

    rows = []
    for name, part in ((run.progress or {}).get("parts") or {}).items():
        what, _sep, key = name.partition(":")
        label = KINDS[key].label if what == "rule" and key in KINDS else fact(f"_facts_{key}")
        rows.append(
            {
                "label": label,
                "stage": int(part.get("stage", 0)) + 1,
                "state": part.get("state", ""),
                "worker": str(part.get("worker") or ""),
                "attempt": part.get("attempt", 0),
                "seconds": part.get("seconds"),
            }
        )
    return rows


@login_required
def runs_list(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, VIEW_TASKS)
    runs = list(
        ComparisonRun.objects.select_related("triggered_by")
        .annotate(n_unchanged=Count("rule_runs", filter=Q(rule_runs__status=RuleRun.Status.UNCHANGED)))
        .order_by("-started_at", "-id")[:RUNS_SHOWN]
    )
    return render(
        request,
        "enforcement/runs.html",
        {
            "runs": runs,
            "can_run": access.has(request.user, RUN_COMPARISON),
            "can_edit": access.has(request.user, EDIT_SETTINGS),
            "today": timezone.localdate(),
            "running": any(r.status == ComparisonRun.Status.RUNNING for r in runs),
        },
    )


@login_required
@require_POST
def run_start(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, RUN_COMPARISON)
    raw = (request.POST.get("as_of") or "").strip()
    try:
        as_of = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        messages.error(request, _("比对日期格式应为 YYYY-MM-DD"))
        return redirect("enforcement:runs")
    try:
        run, _finished = comparison_request_run(
            user=request.user, as_of=as_of, trigger="portal", force=request.POST.get("force") == "1"
        )
    except RunInProgress:
        messages.error(request, _("另一比对正在运行，请稍后再试"))
        return redirect("enforcement:runs")
    return redirect("enforcement:run-detail", pk=run.pk)


@login_required
def run_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    access.require(request.user, VIEW_TASKS)
    run = get_object_or_404(
        ComparisonRun.objects.select_related("triggered_by").prefetch_related("rule_runs"), pk=pk
    )
    context = {
        "run": run,
        "rows": _kind_rows(run),
        "parts": _part_rows(run),
        "bar_width": BAR_WIDTH,
        "extra_seconds": {k: v for k, v in (run.rule_seconds or {}).items() if k.startswith("_")},
    }
    template = (
        "enforcement/runs_progress.html"
        if request.headers.get("HX-Request")
        else "enforcement/runs_detail.html"
    )
    return render(request, template, context)


def _threshold_rows(form: RuleParametersForm) -> list[dict]:
    """Each threshold's field with its default and its last edit."""
    stored = {p.name: p for p in RuleParameter.objects.select_related("updated_by")}
    return [
        {"field": form[name], "name": name, "default": th.default, "stored": stored.get(name)}
        for name, th in THRESHOLDS.items()
    ]


@login_required
def run_parameters(request: AuthedRequest) -> HttpResponse:
    """Thresholds of comparison.md and A per year — edited by a city manager, each edit
    with its reason in the history; each run records the values it used."""
    access.require(request.user, EDIT_SETTINGS)
    form = RuleParametersForm(request.POST or None, in_force=stored_thresholds())
    if form.is_valid():
        form.save(actor=request.user)
        messages.success(request, _("参数已保存，下次比对起生效"))
        return redirect("enforcement:run-parameters")
    wage_year, wage = average_wage_for(timezone.localdate())
    return render(
        request,
        "enforcement/runs_parameters.html",
        {
            "form": form,
            "thresholds": _threshold_rows(form),
            "changes": RuleParameterChange.objects.select_related("changed_by")[:CHANGES_SHOWN],
            "wages": AverageWage.objects.order_by("-year"),
            "wage_year": wage_year,
            "wage": wage,
        },
    )
