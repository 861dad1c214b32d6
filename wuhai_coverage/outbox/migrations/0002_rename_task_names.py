"""Every Celery task is named `*_task` (issue 10): messages recorded before the rename
still hold the old dotted names, which no worker would know. Rename them both ways (the
key embeds the name; it is rebuilt the way `services.message_key` builds it)."""

import json

from django.db import migrations

# old dotted name → new dotted name, for every task that was renamed.
RENAMED = {
    "enforcement.tasks.comparison_run": "enforcement.tasks.comparison_run_task",
    "enforcement.tasks.comparison_run_nightly": "enforcement.tasks.comparison_nightly_task",
    "enforcement.tasks.comparison_sweep": "enforcement.tasks.comparison_sweep_task",
    "enrollment.tasks.roster_process": "enrollment.tasks.roster_process_task",
    "enrollment.tasks.roster_sweep": "enrollment.tasks.roster_sweep_task",
    "enrollment.tasks.roster_retention": "enrollment.tasks.roster_retention_task",
    "assessment.tasks.indicator_snapshot_monthly": "assessment.tasks.indicator_snapshot_monthly_task",
    "assessment.tasks.ranking_warm_up": "assessment.tasks.ranking_warm_up_task",
    "wuhai_coverage.outbox.tasks.outbox_flush": "wuhai_coverage.outbox.tasks.outbox_flush_task",
}


def _key(task, kwargs):
    # A frozen copy of services.message_key: a migration must not follow later code changes.
    return f"{task}:{json.dumps(kwargs, sort_keys=True, separators=(',', ':'))}"[:255]


def _rename(apps, mapping):
    OutboxMessage = apps.get_model("outbox", "OutboxMessage")
    for msg in OutboxMessage.objects.filter(task__in=list(mapping)):
        new = mapping[msg.task]
        key = _key(new, msg.kwargs)
        if OutboxMessage.objects.filter(key=key).exclude(pk=msg.pk).exists():
            msg.delete()  # the same work is already recorded under the other name
            continue
        OutboxMessage.objects.filter(pk=msg.pk).update(task=new, key=key)


def forwards(apps, schema_editor):
    _rename(apps, RENAMED)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [("outbox", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
