"""Enrollment's raw SQL holds its own parameters: named (`%(as_of)s`) with a dict, never a
positional `%s` list counted by hand against the text (issue 10)."""

from __future__ import annotations

import ast
import pathlib
import traceback

import pytest
from django.db import connection

import enrollment
from enrollment import registry, routing
from enrollment.models import Employer, Enrollment, Person
from tests.enrollment.registry_rows import (
    AS_OF,
    civil,
    household,
    idn,
    ins_person,
    insured,
    market,
    snapshots,
    tax,
    uscc,
)

APP = pathlib.Path(enrollment.__file__).parent


def _positional_strings(path: pathlib.Path) -> list[tuple[int, str]]:
    """String literals (f-string parts included) holding a positional `%s`, except the
    arguments of logging calls (`log.info("… %s", x)`, which is not SQL)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if isinstance(node.func.value, ast.Name) and node.func.value.id in ("log", "logger", "logging"):
                skip.update(id(a) for a in ast.walk(node))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and "%s" in node.value
        and id(node) not in skip
    ]


def test_no_string_in_enrollment_holds_a_positional_sql_parameter():
    found = {
        f"{path.relative_to(APP.parent)}:{line}": text
        for path in sorted(APP.rglob("*.py"))
        if "migrations" not in path.parts
        for line, text in _positional_strings(path)
    }
    assert found == {}


def test_the_routing_fragments_take_the_date_by_name():
    assert "%(as_of)s" in routing.civil_eligible("as_of")
    assert "%s" not in routing.civil_row_order("as_of")


def test_the_source_statements_take_a_dict_with_every_name_they_use():
    b = {kind: 100 + i for i, kind in enumerate(registry.KINDS)}
    for sql, params in (
        registry.employer_source_sql(b),
        registry.person_source_sql(b, AS_OF),
        registry.enrollment_source_sql(b),
    ):
        assert isinstance(params, dict)
        assert "%s" not in sql
        sql % {k: "0" for k in params}  # a name in the text without a parameter raises KeyError


@pytest.mark.django_db
def test_the_registry_refresh_executes_only_named_parameters_and_still_fills_the_registry():
    """Every statement enrollment hands to a cursor itself (not through the ORM) during a
    refresh carries a dict; the refresh still produces the registry on PostgreSQL."""
    u, p = uscc(), idn()
    snapshots(
        market_entities=[market(u)],
        tax_payroll=[tax(u)],
        household_registry=[household(p)],
        civil_affairs=[civil(p)],
        insurance_persons=[ins_person(p)],
        insurance_employers=[insured(u)],
    )
    raw: list[tuple[str, object]] = []

    def spy(execute, sql, params, many, context):
        frames = traceback.extract_stack()[:-1]
        caller = next(
            (f for f in reversed(frames) if "/django/" not in f.filename and "contextlib" not in f.filename),
            None,
        )
        direct = caller is not None and str(APP) in caller.filename
        via_orm = any("/django/db/models/" in f.filename for f in frames)
        if direct and not via_orm:
            raw.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        summary = registry.registry_refresh(as_of=AS_OF)

    assert connection.vendor == "postgresql"
    assert summary.written == {"employers": 1, "persons": 1, "enrollments": 1}
    assert Employer.objects.filter(uscc=u).exists() and Person.objects.filter(id_number=p).exists()
    assert Enrollment.objects.filter(person__id_number=p).count() == 1
    with_params = [(sql, params) for sql, params in raw if params]
    assert len(with_params) >= 7  # lock, 3 deletes, 3 upserts
    assert all(isinstance(params, dict) and "%s" not in sql for sql, params in with_params)
