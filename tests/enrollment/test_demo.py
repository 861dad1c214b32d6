import pytest

from enrollment.demo import load_demo_rosters
from enrollment.models import ROW_MODELS, RosterBatch, RosterIssue


@pytest.mark.django_db
def test_demo_rosters_go_through_the_real_intake_and_load_cleanly():
    message = load_demo_rosters(scale=0.05)
    batches = RosterBatch.objects.all()
    assert batches.count() == len(ROW_MODELS), message
    for batch in batches:
        assert batch.status == "loaded", (batch.kind, batch.message)
        assert batch.encoding == "gb18030" and batch.rows_rejected == 0
        assert ROW_MODELS[batch.kind].objects.filter(batch_id=batch.pk).count() == batch.rows_loaded
    assert RosterIssue.objects.filter(severity="error").count() == 0
    assert "演示名册已存在" in load_demo_rosters(scale=0.05)
