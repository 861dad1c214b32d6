"""The case's documents — 限期改正指令书 and 行政处罚事先告知书 — as Chinese A4 PDFs.

The text is built from the case file: the addressee from the employer, the facts from the
violations and the audit findings (each with its source), the legal basis from the
articles that apply to each violation, the deadline, the right to reconsideration (60
days) or suit (6 months), and the issuing office. Rendering is notices.py's (WeasyPrint,
the Noto CJK fonts installed on the machine); numbering is per year like the notices,
with each kind's own series (CaseDocumentSequence)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import F
from django.template.loader import render_to_string
from django.utils import translation

from enforcement import notices
from enforcement.cases.models import (
    CaseDocument,
    CaseDocumentKind,
    CaseDocumentSequence,
    CaseFinding,
    CaseViolation,
    ViolationKind,
)
from enforcement.models import EnforcementCase
from wuhai_coverage.core import labels

LAW = "《中华人民共和国社会保险法》"
REGULATION = "《劳动保障监察条例》"

# 社会保险法 articles beyond those notices.py already holds (57, 58, 60, 84, 86).
LAW_ARTICLES: dict[int, str] = {
    **notices.ARTICLES,
    62: "第六十二条 用人单位未按规定申报应当缴纳的社会保险费数额的，按照该单位上月缴费额的百分之一百一十确定应当缴纳数额；"
    "缴费单位补办申报手续后，由社会保险费征收机构按照规定结算。",
    63: "第六十三条 用人单位未按时足额缴纳社会保险费的，由社会保险费征收机构责令其限期缴纳或者补足。用人单位逾期仍未缴纳或者"
    "补足社会保险费的，社会保险费征收机构可以向银行和其他金融机构查询其存款账户；并可以申请县级以上有关行政部门作出划拨"
    "社会保险费的决定，书面通知其开户银行或者其他金融机构划拨社会保险费。",
}
REGULATION_ARTICLES: dict[int, str] = {
    11: "第十一条 劳动保障行政部门对下列事项实施劳动保障监察：……（七）用人单位参加各项社会保险和缴纳社会保险费的情况；……",
    27: "第二十七条 用人单位向社会保险经办机构申报应缴纳的社会保险费数额时，瞒报工资总额或者职工人数的，由劳动保障行政部门"
    "责令改正，并处瞒报工资数额1倍以上3倍以下的罚款。",
    30: "第三十条 有下列行为之一的，由劳动保障行政部门责令改正；对有第（一）项、第（二）项或者第（三）项规定的行为的，处2000元"
    "以上2万元以下的罚款：（一）无理抗拒、阻挠劳动保障行政部门依照本条例的规定实施劳动保障监察的；（二）不按照劳动保障行政"
    "部门的要求报送书面材料，隐瞒事实真相，出具伪证或者隐匿、毁灭证据的；（三）经劳动保障行政部门责令改正拒不改正，或者"
    "拒不履行劳动保障行政部门的行政处理决定的；……",
}

# Violation → (社会保险法 articles, 劳动保障监察条例 articles), in the order they are cited.
BASIS: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    ViolationKind.NOT_ENROLLED: ((58, 84), (11,)),
    ViolationKind.SELECTIVE: ((58, 60, 84), (11,)),
    ViolationKind.UNDER_DECLARED: ((60, 62, 86), (11, 27)),
    ViolationKind.ARREARS: ((60, 63, 86), (11,)),
    ViolationKind.REFUSED_AUDIT: ((), (11, 30)),
}

# What the order asks for, per violation.
DEMANDS: dict[str, str] = {
    ViolationKind.NOT_ENROLLED: "为全部职工办理社会保险登记并自用工之日起依法缴纳社会保险费",
    ViolationKind.SELECTIVE: "为未参保的职工补办社会保险登记并补缴社会保险费",
    ViolationKind.UNDER_DECLARED: "按照职工实际工资如实申报缴费基数并补足差额部分的社会保险费",
    ViolationKind.ARREARS: "足额缴纳欠缴的社会保险费及滞纳金",
    ViolationKind.REFUSED_AUDIT: "配合社会保险稽核，按要求报送用工、工资及缴费材料",
}

PREFIX: dict[str, str] = {CaseDocumentKind.ORDER: "乌人社监令", CaseDocumentKind.PENALTY_NOTICE: "乌人社罚告"}
RIGHTS = (
    "如对本文书不服，可以自收到本文书之日起六十日内向乌海市人民政府申请行政复议，"
    "或者自收到本文书之日起六个月内向人民法院提起行政诉讼。"
)
STATEMENT_RIGHT = (
    "根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你单位有权进行陈述和申辩；"
    "请于收到本告知书之日起三个工作日内提出，逾期未提出的，视为放弃上述权利。"
)


def next_number(*, kind: str, year: int) -> str:
    """乌人社监令〔YYYY〕NNNN号 from the year's counter of the kind, under a row lock."""
    CaseDocumentSequence.objects.get_or_create(year=year, kind=kind)
    seq = CaseDocumentSequence.objects.select_for_update().get(year=year, kind=kind)
    CaseDocumentSequence.objects.filter(pk=seq.pk).update(last=F("last") + 1)
    return f"{PREFIX[kind]}〔{year}〕{seq.last + 1:04d}号"


def addressee_of(case: EnforcementCase) -> str:
    return f"{case.employer_name}（统一社会信用代码：{case.employer_uscc}）"


def issuing_office_of(case: EnforcementCase) -> str:
    # Labour inspection is a city bureau's function; a district case is still signed by it.
    return "乌海市人力资源和社会保障局"


def _money(value: Decimal | None) -> str:
    return labels.money(value, symbol=False)  # 1,234,567.89 (the text says 元)


def finding_text(finding: CaseFinding) -> str:
    text = (
        f"经{finding.get_source_display()}核实，{finding.period:%Y年%m月}该单位实际用工{finding.verified_headcount}人，"
        f"核定月缴费基数合计{_money(finding.verified_monthly_base)}元"
    )
    if finding.declared_headcount is not None or finding.declared_monthly_base is not None:
        text += (
            f"；同期申报参保{finding.declared_headcount if finding.declared_headcount is not None else '—'}人，"
            f"申报月缴费基数合计{_money(finding.declared_monthly_base)}元"
        )
    return text + (f"（{finding.note}）" if finding.note else "") + "。"


def _period_text(v: CaseViolation) -> str:
    if v.period_from and v.period_to:
        return f"（{v.period_from:%Y年%m月%d日}至{v.period_to:%Y年%m月%d日}）"
    if v.period_from:
        return f"（自{v.period_from:%Y年%m月%d日}起）"
    return ""


def statement_lines(statement: Any) -> list[str]:
    """The arrears statement as the documents state it (enforcement.arrears.Statement)."""
    from enforcement.arrears import yuan

    lines = [f"欠费计算（截至{statement.as_of:%Y年%m月%d日}，滞纳金按日万分之五自缴费截止日次日起计）："]
    for line in statement.lines:
        lines.append(
            f"{line.period[:4]}年{line.period[4:]}月：应缴{_money(yuan(line.owed))}元，已缴{_money(yuan(line.paid))}元，"
            f"欠缴{_money(yuan(line.unpaid))}元，滞纳{line.late_days}天，滞纳金{_money(yuan(line.fee))}元。"
        )
    lines.append(
        f"合计欠缴{_money(yuan(statement.total_unpaid))}元，滞纳金{_money(yuan(statement.total_fee))}元，"
        f"应补缴{_money(yuan(statement.total_due))}元。"
    )
    return lines


def facts_of(case: EnforcementCase, *, statement: Any = None) -> str:
    """The facts as the documents state them: the findings, each violation, and the
    arrears statement when the case has one."""
    with translation.override(notices.NOTICE_LANGUAGE):
        lines = [f"经查，{case.employer_name}存在以下情况："]
        lines += [finding_text(f) for f in case.case_findings.order_by("period", "id")]
        for i, v in enumerate(live_violations(case), start=1):
            lines.append(f"{i}. {v.get_kind_display()}{_period_text(v)}：{v.description}")
        if statement is not None and statement.lines:
            lines += statement_lines(statement)
    return "\n".join(lines)


def live_violations(case: EnforcementCase) -> list[CaseViolation]:
    return list(case.violations.filter(withdrawn_at__isnull=True).order_by("recorded_at", "id"))


def legal_basis_of(violation_kinds: list[str]) -> str:
    law: list[int] = []
    regulation: list[int] = []
    for kind in violation_kinds:
        for a in BASIS[kind][0]:
            if a not in law:
                law.append(a)
        for a in BASIS[kind][1]:
            if a not in regulation:
                regulation.append(a)
    return "\n".join(
        [f"{LAW}{LAW_ARTICLES[a]}" for a in sorted(law)]
        + [f"{REGULATION}{REGULATION_ARTICLES[a]}" for a in sorted(regulation)]
    )


def order_decision(violation_kinds: list[str]) -> str:
    demands = "；".join(DEMANDS[k] for k in violation_kinds)
    return f"责令你单位在下列期限内改正：{demands}。逾期不改正的，本机关将依法作出行政处罚，并可依照社会保险领域严重失信人名单管理有关规定将你单位列入失信名单，实施联合惩戒。"


def penalty_decision(violation_kinds: list[str], proposed_fine: Decimal | None) -> str:
    fine = f"罚款人民币{_money(proposed_fine)}元" if proposed_fine else "罚款"
    return f"你单位未在限期改正指令书规定的期限内改正上述违法行为，本机关拟依据上述规定对你单位作出{fine}的行政处罚。"


def render_html(document: CaseDocument) -> str:
    with translation.override(notices.NOTICE_LANGUAGE):
        return render_to_string(
            "enforcement/cases/document_pdf.html",
            {
                "doc": document,
                "facts_lines": document.facts.splitlines(),
                "basis_lines": document.legal_basis.splitlines(),
                "is_order": document.kind == CaseDocumentKind.ORDER,
                "rights": RIGHTS,
                "statement_right": STATEMENT_RIGHT,
            },
        )


def render_pdf(document: CaseDocument) -> bytes:
    return notices.html_to_pdf(render_html(document))
