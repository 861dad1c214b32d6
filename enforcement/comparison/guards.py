"""Guards against false tasks from bad or missing data (comparison.md → Guards).

A rule runs only when the rosters its kind needs (`KindSpec.needs`) are there and, where
absence from a roster is taken as a fact (the HRSS rosters), trustworthy: current, at most `hrss_max_age_days`
old, and with at most `max_rejected_ratio` of its rows rejected. Otherwise it is skipped:
it opens and closes nothing, and the run says which rule and why."""

from __future__ import annotations

from decimal import Decimal

from enforcement.comparison.facts import Snapshots
from enforcement.comparison.parameters import Parameters
from enforcement.kinds import KINDS
from enrollment.models import RosterKind


def hrss_problem(kind: str, snaps: Snapshots, params: Parameters) -> str | None:
    """Why an HRSS roster cannot be trusted as of D, or None."""
    batch = snaps.batches.get(kind)
    label = f"{RosterKind(kind).label}（{kind}）"
    if batch is None:
        return f"{label}无当前快照 / no current snapshot of {kind}"
    age = (snaps.as_of - batch.snapshot_date).days
    if age > params.hrss_max_age_days:
        return (
            f"{label}已过期：快照日期 {batch.snapshot_date}，距比对日 {age} 天，超过 {params.hrss_max_age_days} 天"
            f" / {kind} is stale: snapshot of {batch.snapshot_date} is {age} days old"
            f" (> {params.hrss_max_age_days})"
        )
    if (
        batch.rows_total
        and Decimal(batch.rows_rejected) / Decimal(batch.rows_total) > params.max_rejected_ratio
    ):
        pct = (Decimal(batch.rows_rejected) * 100 / Decimal(batch.rows_total)).quantize(Decimal("0.01"))
        limit = (params.max_rejected_ratio * 100).normalize()
        return (
            f"{label}退回行过多：{batch.rows_rejected}/{batch.rows_total}（{pct}%）超过 {limit}%"
            f" / {kind} rejected {batch.rows_rejected} of {batch.rows_total} rows ({pct} % > {limit} %)"
        )
    return None


def skip_reason(kind: str, snaps: Snapshots, params: Parameters) -> str | None:
    """Why the rule of `kind` must be skipped on these snapshots, or None when it may run."""
    needs = KINDS[kind].needs
    if needs.any_of and not any(snaps.has(k) for k in needs.any_of):
        names = "、".join(str(RosterKind(k).label) for k in needs.any_of)
        return f"缺少{names}的当前快照 / no current snapshot of {' or '.join(needs.any_of)}"
    problem = hrss_problem(needs.hrss, snaps, params)
    if problem:
        return problem
    if needs.average_wage and params.average_monthly_wage is None:
        return "未设置平均工资 A / no average monthly wage (A) is set"
    return None
