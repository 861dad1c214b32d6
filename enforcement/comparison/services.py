"""Writes around comparison runs used by the portal and the API (the engine does the run),
and the edits of the thresholds and of A."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from enforcement.comparison.engine import RunInProgress, run_comparison, start_run
from enforcement.comparison.parameters import THRESHOLDS
from enforcement.models import ComparisonRun, RuleParameter, RuleParameterChange
from wuhai_coverage.core.models import AverageWage, User
from wuhai_coverage.outbox.services import eager

__all__ = [
    "ParameterError",
    "RunInProgress",
    "average_wage_set",
    "comparison_request_run",
    "rule_parameter_update",
]


class ParameterError(ValueError):
    """A threshold edit that cannot be made (unknown name, bad value, no reason)."""


def comparison_request_run(
    *, user: User | None, as_of: dt.date | None = None, trigger: str = "portal", force: bool = False
) -> tuple[ComparisonRun, bool]:
    """Start a run for a city manager. Without a broker (the demo) it runs inline and the
    finished run is returned with True; with one it is queued for a worker (False) through
    the outbox: recorded even while the broker is down, and sent once it is back.
    Raises RunInProgress when a run is already running. `force` executes every rule, even
    those whose inputs are unchanged since their last execution."""
    if eager():
        summary = run_comparison(as_of=as_of, trigger=trigger, user=user, force=force)
        return ComparisonRun.objects.get(pk=summary.run_id), True
    return start_run(as_of=as_of, trigger=trigger, user=user, force=force), False


@transaction.atomic
def rule_parameter_update(
    *, actor: User, name: str, value: Decimal, reason: str
) -> RuleParameterChange | None:
    """Set one threshold, from the next run on. A value that changes what is in force is
    written with its history row (who, when, old → new, why); the same value again
    writes nothing and returns None."""
    threshold = THRESHOLDS.get(name)
    if threshold is None:
        raise ParameterError(f"unknown threshold {name!r}")
    problem = threshold.error(value)
    if problem:
        raise ParameterError(f"{name}: {problem}")
    if not reason.strip():
        raise ParameterError("a threshold edit needs a reason")
    # The row lock makes two managers' edits of one threshold record each other's value as old.
    stored = RuleParameter.objects.select_for_update().filter(name=name).first()
    old = stored.value if stored is not None else threshold.default
    if old == value:
        return None
    RuleParameter.objects.update_or_create(name=name, defaults={"value": value, "updated_by": actor})
    return RuleParameterChange.objects.create(
        name=name, old_value=old, new_value=value, reason=reason.strip(), changed_by=actor
    )


def average_wage_set(*, actor: User, year: int, value: Decimal) -> AverageWage:
    """A for a year (the comparison takes the latest year ≤ D's, else the earliest)."""
    wage, _created = AverageWage.objects.update_or_create(
        year=year, defaults={"value": value, "source": f"{actor.username} {timezone.localdate()}"}
    )
    return wage
