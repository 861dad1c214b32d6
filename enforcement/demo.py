"""Demo data of enforcement: one comparison run over the demo snapshots, so that the
portal starts with tasks (settings.DEMO_DATA_LOADERS, after enrollment's rosters)."""

from __future__ import annotations

from enforcement.comparison.engine import RunInProgress, run_comparison
from enforcement.models import ComparisonRun


def run_demo_comparison(*, seed: int = 17, scale: float = 1.0) -> str:
    if ComparisonRun.objects.filter(status=ComparisonRun.Status.FINISHED).exists():
        return "演示比对已运行 / demo comparison already run"
    try:
        summary = run_comparison(trigger="demo")
    except RunInProgress:
        return "比对正在运行 / a comparison run is running"
    return (
        f"演示比对 #{summary.run_id}: 新开任务 {sum(summary.opened.values())} 件"
        f"（{summary.duration_s} 秒）/ demo comparison opened {sum(summary.opened.values())} tasks"
    )
