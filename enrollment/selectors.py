"""Reads over rosters and snapshots."""
from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from enrollment.models import ROW_MODELS, RosterBatch


def current_batch(*, kind: str, as_of: dt.date) -> RosterBatch | None:
    """The kind's current snapshot as of `as_of`: its loaded batch with the greatest
    snapshot_date ≤ as_of; ties go to the one received last (rosters.md)."""
    return (
        RosterBatch.objects.filter(kind=kind, status=RosterBatch.Status.LOADED, snapshot_date__lte=as_of,
                                   rows_purged_at__isnull=True)
        .order_by("-snapshot_date", "-received_at", "-id")
        .first()
    )


def current_batches(*, as_of: dt.date) -> dict[str, RosterBatch]:
    """Every kind that has a current snapshot as of `as_of`."""
    found = {}
    for kind in ROW_MODELS:
        batch = current_batch(kind=kind, as_of=as_of)
        if batch is not None:
            found[kind] = batch
    return found


def snapshot_rows(*, kind: str, as_of: dt.date) -> QuerySet:
    """The rows of the kind's current snapshot (empty when it has none)."""
    model = ROW_MODELS[kind]
    batch = current_batch(kind=kind, as_of=as_of)
    if batch is None:
        return model.objects.none()
    return model.objects.filter(batch_id=batch.pk)
