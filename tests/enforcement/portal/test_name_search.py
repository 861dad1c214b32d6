"""The queue's name search through the character-bigram index (enforcement/search.py):
the same rows as a plain case-insensitive `contains`, for two-character Han queries a
trigram index cannot serve, served by the GIN index over open tasks and kept current by
PostgreSQL on every write, the comparison's raw SQL included."""

from __future__ import annotations

import factory
import pytest
from django.db import connection

from enforcement import selectors
from enforcement.models import Task
from enforcement.search import GRAMS_FUNCTION, NAME_GRAMS_INDEX
from enrollment.loading import analyze
from tests.factories import ClosedTaskFactory, OpenTaskFactory

pytestmark = pytest.mark.django_db

NAMES = [
    "乌海市红星煤业有限公司",
    "煤业乌海分公司",
    "乌海市金山建材有限公司",
    "李秀英",
    "张李秀英",
    "李秀华秀英",  # holds both grams of 李秀英, not in a row
    "王丽",
    "ABC煤业",
    "丽",
    "百分之50%公司",
]


def _names(user, q: str, **filters) -> set[str]:
    return set(
        selectors.task_list(user=user, filters={"q": q, **filters}).values_list("subject_name", flat=True)
    )


@pytest.fixture
def named(db):
    return [OpenTaskFactory(subject_name=name) for name in NAMES]


@pytest.mark.parametrize(
    "q",
    [
        "煤业",
        "李秀英",
        "秀英",
        "王丽",
        "丽",
        "abc",
        "Ab",
        "c煤",
        "市金山",
        "50%",
        "%公",
        "_业",
        "有限公司",
        "不存在",
    ],
)
def test_given_names_when_searching_then_the_rows_are_exactly_a_case_insensitive_contains(
    named, caseworker, q
):
    expected = {name for name in NAMES if q.upper() in name.upper()}
    assert _names(caseworker, q) == expected


def test_a_three_character_name_needs_its_characters_in_a_row(named, caseworker):
    assert _names(caseworker, "李秀英") == {"李秀英", "张李秀英"}  # not 李秀华秀英


def test_closed_tasks_are_found_by_name_when_every_status_is_asked_for(named, caseworker):
    ClosedTaskFactory(subject_name="乌海市红星煤业旧户")
    assert "乌海市红星煤业旧户" not in _names(caseworker, "煤业")
    assert "乌海市红星煤业旧户" in _names(caseworker, "煤业", status="all")


def test_the_grams_are_upper_cased_overlapping_pairs(db):
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {GRAMS_FUNCTION}(%s), {GRAMS_FUNCTION}(%s), {GRAMS_FUNCTION}(%s)", ["王建国", "aB", "丽"]
        )
        assert cur.fetchone() == (["王建", "建国"], ["AB"], [])


def _plan(qs) -> str:
    """The plan of `qs` among bitmap scans only: a test's table is a few rows, which a
    sequential or ordered index scan would read whole; this shows which index the search
    condition can use."""
    with connection.cursor() as cur:
        cur.execute("SET enable_seqscan = off")
        cur.execute("SET enable_indexscan = off")
        try:
            return qs.explain()
        finally:
            cur.execute("RESET enable_seqscan")
            cur.execute("RESET enable_indexscan")


@pytest.mark.parametrize("q", ["煤业", "李秀英"])
def test_a_name_search_is_served_by_the_bigram_index(named, city_manager, q):
    """Among 400 other open tasks (on a handful of rows any scan of the table is as cheap)."""
    OpenTaskFactory.create_batch(400, subject_name=factory.Sequence(lambda n: f"乌海市第{n}商贸有限公司"))
    analyze(Task)
    qs = selectors.task_list(user=city_manager, filters={"q": q}).order_by()
    plan = _plan(qs)
    assert NAME_GRAMS_INDEX in plan, plan


def test_given_the_comparisons_raw_sql_writes_when_searching_then_the_index_knows_the_new_names(
    named, caseworker, city_manager
):
    """The comparison writes tasks with INSERT … SELECT and renames them with UPDATE … FROM
    (engine._write_rule): the expression index is maintained by PostgreSQL itself."""
    task = Task.objects.get(subject_name="王丽")
    with connection.cursor() as cur:
        cur.execute("UPDATE enforcement_task SET subject_name = %s WHERE id = %s", ["赵志强", task.pk])
        cur.execute(
            """INSERT INTO enforcement_task (kind, subject_type, subject_key, subject_name, district_id,
                   street_id, priority, status, resolution, evidence, opened_at)
               SELECT 'enroll_employer', 'employer', '91150302MA0000001X', '乌海市志强商贸', '150302',
                      '150302001', 'normal', 'open', '', '{}', now()"""
        )
    analyze(Task)
    qs = selectors.task_list(user=city_manager, filters={"q": "志强"})
    assert NAME_GRAMS_INDEX in _plan(qs.order_by())
    with connection.cursor() as cur:
        cur.execute("SET enable_seqscan = off")  # read through the index, as the plan above
        cur.execute("SET enable_indexscan = off")
        found = set(qs.values_list("subject_name", flat=True))
        cur.execute("RESET enable_seqscan")
        cur.execute("RESET enable_indexscan")
    assert found == {"赵志强", "乌海市志强商贸"}
    assert _names(caseworker, "王丽") == set()


def test_the_queue_page_finds_a_two_character_name(named, client, caseworker):
    client.force_login(caseworker)
    page = client.get("/tasks/", {"q": "秀英"}).content.decode()
    assert "张李秀英" in page and "李秀华秀英" in page and "王丽" not in page
