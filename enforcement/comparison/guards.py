"""Guards against false tasks from bad or missing data (comparison.md → Guards).

A rule runs only when the rosters its kind needs (`KindSpec.needs`) are there and, where
absence from a roster is taken as a fact (the HRSS rosters), trustworthy: current, at most `hrss_max_age_days`
old, and with at most `max_rejected_ratio` of its rows rejected. Otherwise it is skipped:
it opens and closes nothing, and the run says which rule and why."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from enforcement.comparison.facts import Snapshots
from enforcement.comparison.parameters import Parameters
from enforcement.kinds import KINDS
from enrollment.models import RosterKind
from wuhai_coverage.core.text import in_site_language


@in_site_language
def hrss_problem(kind: str, snaps: Snapshots, params: Parameters) -> str | None:
    """Why an HRSS roster cannot be trusted as of D, or None (in the site's language: it is
    kept on the run)."""
    batch = snaps.batches.get(kind)
    label = str(RosterKind(kind).label)
    if batch is None:
        return _("%(roster)s无当前快照") % {"roster": label}
    age = (snaps.as_of - batch.snapshot_date).days
    if age > params.hrss_max_age_days:
        return _("%(roster)s已过期：快照日期 %(date)s，距比对日 %(age)s 天，超过 %(limit)s 天") % {
            "roster": label,
            "date": batch.snapshot_date,
            "age": age,
            "limit": params.hrss_max_age_days,
        }
    if (
        batch.rows_total
        and Decimal(batch.rows_rejected) / Decimal(batch.rows_total) > params.max_rejected_ratio
    ):
        pct = (Decimal(batch.rows_rejected) * 100 / Decimal(batch.rows_total)).quantize(Decimal("0.01"))
        limit = (params.max_rejected_ratio * 100).normalize()
        return _("%(roster)s退回行过多：%(rejected)s/%(total)s（%(pct)s%%）超过 %(limit)s%%") % {
            "roster": label,
            "rejected": batch.rows_rejected,
            "total": batch.rows_total,
            "pct": pct,
            "limit": limit,
        }
    return None


@in_site_language
def skip_reason(kind: str, snaps: Snapshots, params: Parameters) -> str | None:
    """Why the rule of `kind` must be skipped on these snapshots, or None when it may run."""
    needs = KINDS[kind].needs
    if needs.any_of and not any(snaps.has(k) for k in needs.any_of):
        names = "、".join(str(RosterKind(k).label) for k in needs.any_of)
        return _("缺少%(rosters)s的当前快照") % {"rosters": names}
    problem = hrss_problem(needs.hrss, snaps, params)
    if problem:
        return problem
    if needs.average_wage and params.average_monthly_wage is None:
        return _("未设置平均工资 A")
    return None
