"""The data migration that follows the `*_task` rename: messages the outbox recorded
under the old names are sent under the new ones (and renamed back on reverse)."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

RENAME = importlib.import_module("wuhai_coverage.outbox.migrations.0002_rename_task_names")
BEFORE = [("outbox", "0001_initial")]
AFTER = [("outbox", "0002_rename_task_names")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_stored_task_names_are_renamed_forwards_and_back():
    # Given messages recorded before the rename, one per renamed task, and one unrelated
    old_apps = _migrate(BEFORE)
    Message = old_apps.get_model("outbox", "OutboxMessage")
    for i, old in enumerate(RENAME.RENAMED):
        Message.objects.create(key=RENAME._key(old, {"n": i}), task=old, kwargs={"n": i})
    Message.objects.create(key='other.task:{"n":99}', task="other.task", kwargs={"n": 99})
    try:
        # When the migration runs
        new_apps = _migrate(AFTER)
        rows = {m.kwargs["n"]: m for m in new_apps.get_model("outbox", "OutboxMessage").objects.all()}
        # Then every stored name is the new one, its key rebuilt with it; others untouched
        assert len(RENAME.RENAMED) == 9
        for i, new in enumerate(RENAME.RENAMED.values()):
            assert new.endswith("_task")
            assert (rows[i].task, rows[i].key) == (new, f'{new}:{{"n":{i}}}')
        assert (rows[99].task, rows[99].key) == ("other.task", 'other.task:{"n":99}')
        assert rows[0].task == "enforcement.tasks.comparison_run_task"

        # And reversed, the old names come back
        back = {m.kwargs["n"]: m for m in _migrate(BEFORE).get_model("outbox", "OutboxMessage").objects.all()}
        for i, old in enumerate(RENAME.RENAMED):
            assert (back[i].task, back[i].key) == (old, f'{old}:{{"n":{i}}}')
    finally:
        _migrate(AFTER)


@pytest.mark.django_db(transaction=True)
def test_a_message_recorded_under_both_names_is_kept_once():
    apps = _migrate(BEFORE)
    Message = apps.get_model("outbox", "OutboxMessage")
    old, new = "enforcement.tasks.comparison_run", "enforcement.tasks.comparison_run_task"
    Message.objects.create(key=RENAME._key(old, {"run_id": 1}), task=old, kwargs={"run_id": 1})
    Message.objects.create(key=RENAME._key(new, {"run_id": 1}), task=new, kwargs={"run_id": 1})
    try:
        after = _migrate(AFTER).get_model("outbox", "OutboxMessage")
        assert list(after.objects.values_list("task", flat=True)) == [new]
    finally:
        _migrate(AFTER)


def test_the_beat_schedule_names_only_task_suffixed_tasks(settings):
    names = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert names and all(name.endswith("_task") for name in names)
    assert not set(names) & set(RENAME.RENAMED)
