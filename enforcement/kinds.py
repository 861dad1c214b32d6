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

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enforcement.comparison import rules
from enforcement.comparison.rules import ConditionFn, RuleFn
from enrollment.models import RosterKind
from wuhai_coverage.core import labels


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


# --- Why a task exists, and what to do next ------------------------------------------------
# One sentence per kind, built from the evidence its rule wrote (comparison/rules.py), shown
# at the top of the task page. Every builder copes with a missing or empty value (older
# tasks, demo data): it then leaves that part of the sentence out rather than print "None".

Evidence = Mapping[str, Any]


def _num(evidence: Evidence, key: str) -> int | None:
    value = evidence.get(key)
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


def _money(evidence: Evidence, key: str) -> str | None:
    """54000.5 → "54,000.50" (the label registry's money, without ¥); None when absent or
    not a number, so the sentence leaves that part out."""
    value = evidence.get(key)
    return labels.money(value, symbol=False) if labels.decimal_or_none(value) is not None else None


def _period(evidence: Evidence, key: str) -> str | None:
    """202610 or "2026-10" → 2026年10月 (the registry's period); None when absent or odd."""
    value = evidence.get(key)
    text = labels.period(value)
    return text if text and text != labels.unknown(value) else None


def _text(evidence: Evidence, key: str) -> str | None:
    value = evidence.get(key)
    if value is None or isinstance(value, bool):
        return None
    return str(value).strip() or None


def _why_enroll_employer(ev: Evidence) -> str:
    sources = {str(s) for s in ev.get("sources") or ()}
    h = _num(ev, "H")
    in_market = bool(sources & {"market", "market_entities"})
    in_tax = bool(sources & {"tax", "tax_payroll"}) and h
    if in_market and in_tax:
        return gettext(
            "市场主体登记名册显示该单位存续且有 %(h)d 名个税代扣人员，但参保单位名册中没有它。"
        ) % {"h": h}
    if in_tax:
        return gettext("税务个税扣缴名册显示该单位有 %(h)d 名个税代扣人员，但参保单位名册中没有它。") % {
            "h": h
        }
    if in_market:
        return gettext("市场主体登记名册显示该单位存续，但参保单位名册中没有它。")
    return gettext("该单位应当参加社会保险，但参保单位名册中没有它。")


def _why_missed_employees(ev: Evidence) -> str:
    h, ip = _num(ev, "H"), _num(ev, "Ip")
    if h is None or ip is None:
        return gettext("该单位为部分职工参保，个税扣缴人数明显多于参保人数。")
    gap = _num(ev, "gap")
    return gettext("该单位有 %(h)d 名个税代扣人员，只有 %(ip)d 人参加养老保险，%(gap)d 人未参保。") % {
        "h": h,
        "ip": ip,
        "gap": gap if gap is not None else max(h - ip, 0),
    }


def _why_selective_enrollment(ev: Evidence) -> str:
    ip, ii, iu = _num(ev, "Ip"), _num(ev, "Ii"), _num(ev, "Iu")
    if ip is None or ii is None or iu is None:
        return gettext("该单位只为职工参加了部分险种（养老保险参保人数多于工伤或失业保险）。")
    return gettext("该单位有 %(ip)d 人参加养老保险，但工伤保险只有 %(ii)d 人、失业保险只有 %(iu)d 人。") % {
        "ip": ip,
        "ii": ii,
        "iu": iu,
    }


def _why_underreported_base(ev: Evidence) -> str:
    declared = _money(ev, "declared_average")
    reference = _money(ev, "reference") or _money(ev, "wage_average")
    if declared is None or reference is None:
        return gettext("该单位申报的缴费基数明显低于职工实际工资。")
    return gettext(
        "该单位申报的人均缴费基数为 %(declared)s 元，低于按实际工资应申报的 %(reference)s 元。"
    ) % {
        "declared": declared,
        "reference": reference,
    }


def _why_injury_key_industry(ev: Evidence) -> str:
    required, insured = _num(ev, "required"), _num(ev, "insured")
    if required is None or insured is None:
        return gettext("该单位属尘肺病重点行业，工伤保险参保人数不足。")
    return gettext(
        "该单位属尘肺病重点行业，应参加工伤保险 %(required)d 人，实际只有 %(insured)d 人参保。"
    ) % {
        "required": required,
        "insured": insured,
    }


def _why_collect_arrears(ev: Evidence) -> str:
    amount, period = _money(ev, "arrears_amount"), _period(ev, "last_paid_period")
    if amount is None:
        return gettext("该单位欠缴社会保险费。")
    if period is None:
        return gettext("该单位欠缴社会保险费 %(amount)s 元。") % {"amount": amount}
    return gettext("该单位欠缴社会保险费 %(amount)s 元，最近一次缴费所属期为%(period)s。") % {
        "amount": amount,
        "period": period,
    }


def _why_construction_injury(ev: Evidence) -> str:
    start, builder = _text(ev, "start_date"), _text(ev, "builder_name") or _text(ev, "builder")
    if start and builder:
        return gettext("该工程项目已于 %(start)s 开工（建设单位：%(builder)s），但未按项目参加工伤保险。") % {
            "start": start,
            "builder": builder,
        }
    return gettext("该工程项目已开工，但未按项目参加工伤保险。")


def _age_part(ev: Evidence) -> str:
    age = _num(ev, "age")
    return gettext("（%(age)d岁）") % {"age": age} if age is not None else ""


def _why_subsidized_enrollment(ev: Evidence) -> str:
    return gettext("此人%(age)s属于困难群体，符合政府代缴城乡居民养老保险的条件，但未参保。") % {
        "age": _age_part(ev)
    }


def _why_resume_contributions(ev: Evidence) -> str:
    months, period = _num(ev, "months_unpaid"), _period(ev, "last_paid_period")
    if months is not None and period is not None:
        return gettext("此人%(age)s的养老保险已断缴 %(months)d 个月（最近一次缴费所属期为%(period)s）。") % {
            "age": _age_part(ev),
            "months": months,
            "period": period,
        }
    return gettext("此人%(age)s的养老保险已中断缴费。") % {"age": _age_part(ev)}


def _community_part(ev: Evidence) -> str:
    community = _text(ev, "community")
    return gettext("住在%(community)s，") % {"community": community} if community else ""


def _why_enroll_person(ev: Evidence) -> str:
    return gettext("户籍名册显示此人%(age)s%(community)s但没有任何基本养老保险参保记录。") % {
        "age": _age_part(ev),
        "community": _community_part(ev),
    }


def _why_elderly_enrollment(ev: Evidence) -> str:
    return gettext(
        "户籍名册显示此人%(age)s已满60周岁，%(community)s没有任何基本养老保险参保记录，可按规定补缴或延缴。"
    ) % {"age": _age_part(ev), "community": _community_part(ev)}


WhyFn = Callable[[Evidence], str]

# code → the builder of its "why" sentence; one per kind (checked below and by the tests).
WHY: dict[str, WhyFn] = {
    TaskKind.ENROLL_EMPLOYER: _why_enroll_employer,
    TaskKind.MISSED_EMPLOYEES: _why_missed_employees,
    TaskKind.SELECTIVE_ENROLLMENT: _why_selective_enrollment,
    TaskKind.UNDERREPORTED_BASE: _why_underreported_base,
    TaskKind.INJURY_KEY_INDUSTRY: _why_injury_key_industry,
    TaskKind.COLLECT_ARREARS: _why_collect_arrears,
    TaskKind.CONSTRUCTION_INJURY: _why_construction_injury,
    TaskKind.SUBSIDIZED_ENROLLMENT: _why_subsidized_enrollment,
    TaskKind.RESUME_CONTRIBUTIONS: _why_resume_contributions,
    TaskKind.ENROLL_PERSON: _why_enroll_person,
    TaskKind.ELDERLY_ENROLLMENT: _why_elderly_enrollment,
}
assert set(WHY) == set(KINDS), "one why-sentence builder per kind"


def why_sentence(code: str, evidence: Evidence | None) -> str:
    """The sentence saying why a task of this kind exists, from its evidence."""
    return WHY[code](evidence if isinstance(evidence, Mapping) else {})


def next_step(code: str, status: str) -> str:
    """The suggested next step for a task of this kind in this status (task statuses are
    `Task.Status` values; the notice named is the kind's default)."""
    spec = KINDS[code]
    is_person = spec.subject == SubjectType.PERSON
    if status == "open":
        if is_person:
            return gettext("下一步：分派给社区工作人员上门核实，或直接联系本人并记录结果")
        return gettext("下一步：分派给街道工作人员核实，或直接联系单位并记录结果")
    if status == "assigned":
        return gettext("下一步：联系本人并记录结果") if is_person else gettext("下一步：联系单位并记录结果")
    if status == "contacted":
        return gettext("下一步：对方已办理的标记已整改；仍未办理的发出%(notice)s") % {
            "notice": spec.notice.label
        }
    if status == "notice_issued":
        if is_person:
            return gettext("下一步：期限到期前核实是否已参保，已参保的标记已整改")
        return gettext("下一步：期限到期前核实整改情况；已整改的标记已整改，逾期未整改的移交劳动保障监察立案")
    if status == "escalated":
        return gettext("下一步：由劳动保障监察立案处理；单位整改后标记已整改")
    return gettext("任务已办结，无需再操作")
