"""One declaration per task kind (enforcement/kinds.py), read by the rules, the guards,
the notices, the escalation and the labels."""

from __future__ import annotations

import inspect

import pytest

from enforcement import notices
from enforcement.comparison import guards, rules
from enforcement.kinds import KINDS, CaseType, NoticeKind, SubjectType, TaskKind, kinds_of
from enforcement.models import EnforcementCase, Notice, Task
from enrollment.models import RosterKind


def test_every_task_kind_has_exactly_one_spec_in_the_models_order():
    assert list(KINDS) == list(TaskKind.values)
    assert [spec.code for spec in KINDS.values()] == list(TaskKind)
    assert Task._meta.get_field("kind").choices == TaskKind.choices


def test_the_models_read_the_kinds_vocabulary():
    assert (
        Task.SubjectType is SubjectType and Notice.Kind is NoticeKind and EnforcementCase.CaseType is CaseType
    )


def test_every_rule_of_the_engine_comes_from_the_registry():
    rule_functions = {
        fn
        for name, fn in inspect.getmembers(rules, inspect.isfunction)
        if fn.__module__ == rules.__name__ and not name.startswith("_")
    }
    from_kinds = {spec.rule for spec in KINDS.values()} | {s.condition for s in KINDS.values() if s.condition}
    # every public function of rules.py is a kind's rule or a person kind's condition
    assert rule_functions == from_kinds
    assert len({spec.rule for spec in KINDS.values()}) == len(KINDS)  # one rule per kind
    assert not hasattr(rules, "RULES") and not hasattr(guards, "NEEDS")
    assert not hasattr(notices, "ARTICLES_BY_KIND") and not hasattr(notices, "REQUESTS")


@pytest.mark.parametrize("code", list(KINDS))
def test_each_spec_is_complete(code):
    spec = KINDS[code]
    assert spec.label == str(TaskKind(code).label)
    assert spec.articles and set(spec.articles) <= set(notices.ARTICLES)
    assert spec.request.strip()
    assert spec.needs.hrss in RosterKind.values and set(spec.needs.any_of) <= set(RosterKind.values)
    # persons have a precedence condition and open no case of their own; others a case type
    assert (spec.condition is not None) is (spec.subject == SubjectType.PERSON)
    assert (spec.case_type is None) is (spec.subject == SubjectType.PERSON)


def test_person_precedence_is_the_registry_order():
    assert [s.code for s in kinds_of(SubjectType.PERSON)] == [
        TaskKind.SUBSIDIZED_ENROLLMENT,
        TaskKind.RESUME_CONTRIBUTIONS,
        TaskKind.ENROLL_PERSON,
        TaskKind.ELDERLY_ENROLLMENT,
    ]


def test_notices_read_articles_requests_and_kind_from_the_spec():
    assert notices.default_notice_kind(TaskKind.COLLECT_ARREARS) == NoticeKind.ARREARS
    assert notices.default_notice_kind(TaskKind.ENROLL_EMPLOYER) == NoticeKind.ENROLLMENT
    basis = notices.legal_basis_of(TaskKind.UNDERREPORTED_BASE)
    assert "第六十条" in basis and "第八十六条" in basis and "第五十七条" not in basis
