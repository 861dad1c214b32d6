import datetime as dt

import pytest

from enrollment import selectors
from enrollment.models import MarketEntityRow, RosterBatch


def _batch(kind="market_entities", snapshot=dt.date(2026, 11, 1), status="loaded", sha="a"):
    return RosterBatch.objects.create(
        kind=kind, department="market", status=status, snapshot_date=snapshot, sha256=sha
    )


@pytest.mark.django_db
def test_current_snapshot_is_latest_loaded_on_or_before_the_date():
    older = _batch(snapshot=dt.date(2026, 10, 1), sha="1")
    newer = _batch(snapshot=dt.date(2026, 11, 1), sha="2")
    _batch(snapshot=dt.date(2026, 11, 20), sha="3")  # after D
    _batch(snapshot=dt.date(2026, 11, 10), status="failed", sha="4")
    _batch(snapshot=dt.date(2026, 11, 12), status="processing", sha="5")
    _batch(snapshot=dt.date(2026, 11, 13), status="rejected", sha="6")
    assert selectors.batch_current_get(kind="market_entities", as_of=dt.date(2026, 11, 15)) == newer
    assert selectors.batch_current_get(kind="market_entities", as_of=dt.date(2026, 10, 31)) == older
    assert selectors.batch_current_get(kind="market_entities", as_of=dt.date(2026, 9, 30)) is None


@pytest.mark.django_db
def test_tie_on_snapshot_date_goes_to_the_one_received_last():
    _batch(sha="1")
    last = _batch(sha="2")
    assert selectors.batch_current_get(kind="market_entities", as_of=dt.date(2026, 11, 1)) == last


@pytest.mark.django_db
def test_snapshot_rows_reads_only_the_current_batch():
    old = _batch(snapshot=dt.date(2026, 10, 1), sha="1")
    cur = _batch(snapshot=dt.date(2026, 11, 1), sha="2")
    common = dict(
        name="x",
        entity_type="enterprise",
        status="active",
        established_on=dt.date(2020, 1, 1),
        district_code="150302",
    )
    MarketEntityRow.objects.create(batch_id=old.pk, uscc="A" * 18, **common)
    MarketEntityRow.objects.create(batch_id=cur.pk, uscc="B" * 18, **common)
    rows = selectors.snapshot_rows_list(kind="market_entities", as_of=dt.date(2026, 11, 2))
    assert [r.uscc for r in rows] == ["B" * 18]
    assert list(selectors.snapshot_rows_list(kind="tax_payroll", as_of=dt.date(2026, 11, 2))) == []
