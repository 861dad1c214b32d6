"""The task kinds of comparison.md, each declared once: the rest of the app reads them here.

A kind is its `TaskKind` member (code and label) and its `KindSpec` below: the subject it
is about, the rule that finds its subjects, the rosters its guard needs, the notice it
issues (kind, 社会保险法 articles, what the subject is asked to do) and the case type an
escalation opens. Adding a kind is one `TaskKind` member, one `KindSpec` in `KINDS`
(its position is its place in the run, and among person kinds its precedence), its rule
function in `comparison/rules.py`, and the migration of `Task.kind`'s choices.

The model enums a kind refers to (subject type, notice kind, case type) are declared here
too and re-exported by `enforcement.models`, so that this module needs no model."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from enforcement.comparison import rules
from enforcement.comparison.rules import ConditionFn, RuleFn
from enrollment.models import RosterKind


class TaskKind(models.TextChoices):
    ENROLL_EMPLOYER = "enroll_employer", _("未参保企业抓参保")
    MISSED_EMPLOYEES = "missed_employees", _("参保企业抓漏保")
    SELECTIVE_ENROLLMENT = "selective_enrollment", _("选择性参保")
    UNDERREPORTED_BASE = "underreported_base", _("缴费基数不实")
    INJURY_KEY_INDUSTRY = "injury_key_industry", _("尘肺病重点行业工伤扩面")
    COLLECT_ARREARS = "collect_arrears", _("欠费清缴")
    CONSTRUCTION_INJURY = "construction_injury", _("工程项目工伤参保")
    SUBSIDIZED_ENROLLMENT = "subsidized_enrollment", _("困难群体抓代缴")
    RESUME_CONTRIBUTIONS = "resume_contributions", _("断缴人员抓续保")
    ENROLL_PERSON = "enroll_person", _("未参保人员抓入保")
    ELDERLY_ENROLLMENT = "elderly_enrollment", _("超龄人员补缴")


class SubjectType(models.TextChoices):
    """What a task is about (`Task.SubjectType`)."""

    EMPLOYER = "employer", _("用人单位")
    PERSON = "person", _("人员")
    PROJECT = "project", _("工程项目")


class NoticeKind(models.TextChoices):
    """The document a notice is (`Notice.Kind`)."""

    ENROLLMENT = "enrollment", _("参保告知书")
    RECTIFICATION = "rectification", _("限期改正指令书")
    ARREARS = "arrears", _("欠费催缴通知书")


class CaseType(models.TextChoices):
    """The type of an enforcement case (`EnforcementCase.CaseType`)."""

    UNENROLLED = "unenrolled", _("未依法参保")
    UNDERREPORTED = "underreported", _("未如实申报缴费基数")
    MISSED = "missed", _("未全员参保")
    ARREARS = "arrears", _("拒不缴纳欠费")
    OTHER = "other", _("其他")


@dataclass(frozen=True)
class Needs:
    """What the guard checks before the kind's rule may run (comparison.md → Guards)."""

    any_of: tuple[RosterKind, ...]  # at least one of these has a current snapshot (empty: none needed)
    hrss: RosterKind  # the HRSS roster whose absence is read as a fact: current and trustworthy
    average_wage: bool = False  # the rule compares with A, the regional average wage


@dataclass(frozen=True)
class KindSpec:
    code: TaskKind
    subject: SubjectType
    rule: RuleFn  # the one set-based SELECT of its candidates (comparison/rules.py)
    needs: Needs
    articles: tuple[int, ...]  # 社会保险法 articles its notice cites (notices.ARTICLES)
    notice: NoticeKind  # the notice a caseworker issues by default
    # What the notice asks the subject to do. Legal text in Chinese only: notices are
    # rendered in NOTICE_LANGUAGE whatever the caseworker's language, so it is not a msgid.
    request: str
    case_type: CaseType | None  # the case an escalation opens (None: a person, case type OTHER)
    # Person kinds: C_k, the condition of the rule, also read by later person rules (precedence).
    condition: ConditionFn | None = None

    @property
    def label(self) -> str:
        return str(self.code.label)


_EMPLOYERS = Needs((), RosterKind.INSURANCE_EMPLOYERS)
_PERSONS = Needs((), RosterKind.INSURANCE_PERSONS)
_HOUSEHOLD = Needs((RosterKind.HOUSEHOLD_REGISTRY,), RosterKind.INSURANCE_PERSONS)

_SPECS = (
    KindSpec(
        TaskKind.ENROLL_EMPLOYER,
        SubjectType.EMPLOYER,
        rules.enroll_employer,
        Needs((RosterKind.MARKET_ENTITIES, RosterKind.TAX_PAYROLL), RosterKind.INSURANCE_EMPLOYERS),
        articles=(57, 58, 84),
        notice=NoticeKind.ENROLLMENT,
        request="请你单位于整改期限前到社会保险经办机构办理社会保险登记，并为全部职工申报参加社会保险。",
        case_type=CaseType.UNENROLLED,
    ),
    KindSpec(
        TaskKind.MISSED_EMPLOYEES,
        SubjectType.EMPLOYER,
        rules.missed_employees,
        _EMPLOYERS,
        articles=(58, 60, 84),
        notice=NoticeKind.ENROLLMENT,
        request="请你单位于整改期限前为未参保职工办理参保登记，做到应保尽保。",
        case_type=CaseType.MISSED,
    ),
    KindSpec(
        TaskKind.SELECTIVE_ENROLLMENT,
        SubjectType.EMPLOYER,
        rules.selective_enrollment,
        _EMPLOYERS,
        articles=(58, 60, 84),
        notice=NoticeKind.ENROLLMENT,
        request="请你单位于整改期限前为已参加养老保险的职工同时办理工伤、失业保险参保，不得选择性参保。",
        case_type=CaseType.MISSED,
    ),
    KindSpec(
        TaskKind.UNDERREPORTED_BASE,
        SubjectType.EMPLOYER,
        rules.underreported_base,
        Needs((), RosterKind.INSURANCE_EMPLOYERS, average_wage=True),
        articles=(60, 86),
        notice=NoticeKind.ARREARS,
        request="请你单位于整改期限前按职工实际工资如实申报缴费基数，并补足差额。",
        case_type=CaseType.UNDERREPORTED,
    ),
    KindSpec(
        TaskKind.INJURY_KEY_INDUSTRY,
        SubjectType.EMPLOYER,
        rules.injury_key_industry,
        Needs((RosterKind.MARKET_ENTITIES, RosterKind.DUST_HAZARD), RosterKind.INSURANCE_EMPLOYERS),
        articles=(58, 60, 84),
        notice=NoticeKind.ENROLLMENT,
        request="你单位属尘肺病重点行业，请于整改期限前为全部职工（含接触粉尘作业人员）办理工伤保险参保。",
        case_type=CaseType.MISSED,
    ),
    KindSpec(
        TaskKind.COLLECT_ARREARS,
        SubjectType.EMPLOYER,
        rules.collect_arrears,
        _EMPLOYERS,
        articles=(60, 86),
        notice=NoticeKind.ARREARS,
        request="请你单位于整改期限前足额缴纳欠缴的社会保险费及滞纳金。",
        case_type=CaseType.ARREARS,
    ),
    KindSpec(
        TaskKind.CONSTRUCTION_INJURY,
        SubjectType.PROJECT,
        rules.construction_injury,
        Needs((RosterKind.CONSTRUCTION_PROJECTS,), RosterKind.INSURANCE_PROJECTS),
        articles=(58, 84),
        notice=NoticeKind.ENROLLMENT,
        request="请建设（施工）单位于整改期限前按项目办理建筑业工伤保险参保。",
        case_type=CaseType.UNENROLLED,
    ),
    # Persons, in order of precedence: the first rule that matches a person wins.
    KindSpec(
        TaskKind.SUBSIDIZED_ENROLLMENT,
        SubjectType.PERSON,
        rules.subsidized_enrollment,
        Needs(
            (RosterKind.CIVIL_AFFAIRS, RosterKind.POVERTY_REGISTRY, RosterKind.DISABILITY_REGISTRY),
            RosterKind.INSURANCE_PERSONS,
        ),
        articles=(58, 60),
        notice=NoticeKind.ENROLLMENT,
        request="你符合政府代缴城乡居民基本养老保险费的条件，请于期限前到所在社区办理参保登记。",
        case_type=None,
        condition=rules.subsidized_condition,
    ),
    KindSpec(
        TaskKind.RESUME_CONTRIBUTIONS,
        SubjectType.PERSON,
        rules.resume_contributions,
        _PERSONS,
        articles=(60,),
        notice=NoticeKind.ENROLLMENT,
        request="你的基本养老保险已中断缴费，请于期限前办理续保缴费（当年度费款须在12月31日前缴纳）。",
        case_type=None,
        condition=rules.resume_condition,
    ),
    KindSpec(
        TaskKind.ENROLL_PERSON,
        SubjectType.PERSON,
        rules.enroll_person,
        _HOUSEHOLD,
        articles=(58, 60),
        notice=NoticeKind.ENROLLMENT,
        request="请于期限前参加基本养老保险（职工养老保险或城乡居民养老保险）。",
        case_type=None,
        condition=rules.enroll_person_condition,
    ),
    KindSpec(
        TaskKind.ELDERLY_ENROLLMENT,
        SubjectType.PERSON,
        rules.elderly_enrollment,
        _HOUSEHOLD,
        articles=(60,),
        notice=NoticeKind.ENROLLMENT,
        request="你已达到60周岁且未参加基本养老保险，可按规定办理补缴或延缴手续，请于期限前到社保经办机构咨询办理。",
        case_type=None,
        condition=rules.elderly_condition,
    ),
)

# code → spec, in the order the run evaluates them (a dict keeps its insertion order).
KINDS: dict[str, KindSpec] = {spec.code.value: spec for spec in _SPECS}
assert len(KINDS) == len(_SPECS) == len(TaskKind), "one KindSpec per TaskKind"


def kind_spec(code: str) -> KindSpec:
    """The declaration of a kind by its code (KeyError for an unknown one)."""
    return KINDS[code]


def kinds_of(subject: SubjectType) -> Iterator[KindSpec]:
    """The kinds about one subject type, in run order (for persons: precedence)."""
    return (spec for spec in KINDS.values() if spec.subject == subject)
