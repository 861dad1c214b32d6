"""Demo data of enforcement: one comparison run over the demo snapshots, so that the
portal starts with tasks (settings.DEMO_DATA_LOADERS, after enrollment's rosters)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from enforcement.comparison.engine import RunInProgress, run_comparison
from enforcement.models import ComparisonRun


def run_demo_comparison(*, seed: int = 17, scale: float = 1.0) -> str:
    if ComparisonRun.objects.filter(status=ComparisonRun.Status.FINISHED).exists():
        return _("演示比对已运行")
    try:
        summary = run_comparison(trigger="demo")
    except RunInProgress:
        return _("比对正在运行")
    return _("演示比对 #%(run)s：新开任务 %(opened)s 件（%(seconds)s 秒）") % {
        "run": summary.run_id,
        "opened": sum(summary.opened.values()),
        "seconds": summary.duration_s,
    }
