"""Notices (告知书 / 催缴通知书 / 限期改正指令书) as A4 PDFs in Chinese.

The text is built from the task: the addressee from its subject, the facts from the
comparison's evidence, the legal basis from the Social Insurance Law articles that
apply to its kind (`KindSpec.articles`), what the subject is asked to do from
`KindSpec.request`. WeasyPrint renders the HTML template with the Noto CJK fonts
installed on the machine (fonts-noto-cjk); nothing is fetched from the network."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from enforcement.kinds import KINDS, NoticeKind, SubjectType
from enforcement.models import Notice, Task
from wuhai_coverage.core import labels

# 《中华人民共和国社会保险法》 — the articles a notice may cite.
ARTICLES: dict[int, str] = {
    57: "第五十七条 用人单位应当自成立之日起三十日内凭营业执照、登记证书或者单位印章，向当地社会保险经办机构申请办理社会保险登记。",
    58: "第五十八条 用人单位应当自用工之日起三十日内为其职工向社会保险经办机构申请办理社会保险登记。未办理社会保险登记的，"
    "由社会保险经办机构核定其应当缴纳的社会保险费。自愿参加社会保险的无雇工的个体工商户、未在用人单位参加社会保险的"
    "非全日制从业人员以及其他灵活就业人员，应当向社会保险经办机构申请办理社会保险登记。",
    60: "第六十条 用人单位应当自行申报、按时足额缴纳社会保险费，非因不可抗力等法定事由不得缓缴、减免。职工应当缴纳的社会保险费"
    "由用人单位代扣代缴，用人单位应当按月将缴纳社会保险费的明细情况告知本人。无雇工的个体工商户、未在用人单位参加社会保险的"
    "非全日制从业人员以及其他灵活就业人员，可以直接向社会保险费征收机构缴纳社会保险费。",
    84: "第八十四条 用人单位不办理社会保险登记的，由社会保险行政部门责令限期改正；逾期不改正的，对用人单位处应缴社会保险费数额"
    "一倍以上三倍以下的罚款，对其直接负责的主管人员和其他直接责任人员处五百元以上三千元以下的罚款。",
    86: "第八十六条 用人单位未按时足额缴纳社会保险费的，由社会保险费征收机构责令限期缴纳或者补足，并自欠缴之日起，"
    "按日加收万分之五的滞纳金；逾期仍不缴纳的，由有关行政部门处欠缴数额一倍以上三倍以下的罚款。",
}

# Notices are legal documents in Chinese only, whatever language the caseworker's pages are in.
NOTICE_LANGUAGE = "zh-hans"

# Labels for the evidence keys the comparison writes (unknown keys are shown as they are).
EVIDENCE_LABELS: dict[str, StrOrPromise] = {
    "sources": _("数据来源"),
    "H": _("个税扣缴人数"),
    "W": _("月工资总额（元）"),
    "payroll_headcount": _("个税扣缴人数"),
    "payroll_total": _("月工资总额（元）"),
    "payroll_period": _("扣缴所属期"),
    "period": _("所属期"),
    "employees_reported": _("年报从业人数"),
    "Ip": _("养老保险参保人数"),
    "Ii": _("工伤保险参保人数"),
    "Iu": _("失业保险参保人数"),
    "insured_pension": _("养老保险参保人数"),
    "insured_injury": _("工伤保险参保人数"),
    "insured_unemployment": _("失业保险参保人数"),
    "gap": _("未参保人数"),
    "required": _("应参保人数"),
    "insured": _("已参保人数"),
    "declared_average": _("申报人均缴费基数（元）"),
    "declared_base_total": _("申报缴费基数合计（元）"),
    "payroll_average": _("人均应税工资（元）"),
    "wage_average": _("人均应税工资（元）"),
    "average_wage": _("社会平均工资A（元）"),
    "A": _("社会平均工资A（元）"),
    "expected_average": _("应申报人均基数（元）"),
    "ratio": _("申报基数比"),
    "industry": _("行业"),
    "industry_code": _("行业代码"),
    "hazard": _("粉尘危害因素"),
    "hazard_factor": _("粉尘危害因素"),
    "exposed_workers": _("接触粉尘人数"),
    "arrears_amount": _("欠费金额（元）"),
    "last_paid_period": _("最近缴费所属期"),
    "builder": _("建设单位"),
    "builder_name": _("建设单位"),
    "builder_uscc": _("建设单位信用代码"),
    "start_date": _("开工日期"),
    "planned_workers": _("计划用工人数"),
    "project_name": _("项目名称"),
    "age": _("年龄"),
    "sex": _("性别"),
    "birth_date": _("出生日期"),
    "eligibility": _("代缴资格"),
    "eligible": _("代缴资格"),
    "category": _("救助类别"),
    "disability_level": _("残疾等级"),
    "pension_rows": _("养老保险记录"),
    "status": _("参保状态"),
    "scheme": _("参保类型"),
    "established_on": _("成立日期"),
    "entity_type": _("主体类型"),
    "market_status": _("登记状态"),
    "district_code": _("所属区"),
    "street_code": _("所属街道"),
    "as_of": _("比对日期"),
    "threshold": _("漏保认定最少人数"),
    "community": _("社区"),
    "tolerance": _("缴费基数容差"),
    "reference": _("应申报人均基数下限（元）"),
    "months_unpaid": _("断缴月数"),
    "pension_status": _("养老参保状态"),
    "civil_affairs_category": _("救助类别"),
    "poverty_active": _("建档立卡未脱贫"),
    "subsidized": _("政府代缴"),
    "in_dust_hazard_roster": _("在粉尘危害名册中"),
    "market_entities": _("市场监管局登记"),
    "tax_payroll": _("税务个税扣缴"),
}
SOURCE_LABELS: dict[str, StrOrPromise] = {
    "market": _("市场监管局登记"),
    "tax": _("税务个税扣缴"),
    "market_entities": _("市场监管局登记"),
    "tax_payroll": _("税务个税扣缴"),
}


def default_notice_kind(task_kind: str) -> NoticeKind:
    return KINDS[task_kind].notice


def legal_basis_of(task_kind: str) -> str:
    return "\n".join(f"《中华人民共和国社会保险法》{ARTICLES[a]}" for a in KINDS[task_kind].articles)


def evidence_items(evidence: dict) -> list[tuple[str, str]]:
    """(label, text) pairs of a task's evidence, in the order the comparison wrote them,
    keys and values in words (the label registry: wuhai_coverage.core.labels)."""
    return [(labels.fact(k), labels.fact_value(v, k)) for k, v in (evidence or {}).items()]


def addressee_of(task: Task) -> str:
    if task.subject_type == SubjectType.PROJECT:
        builder = task.evidence.get("builder_name") or task.evidence.get("builder")
        if builder:
            return f"{builder}（{task.subject_name or task.subject_key}）"
    if task.subject_type == SubjectType.EMPLOYER:
        return f"{task.subject_name or ''}（统一社会信用代码：{task.subject_key}）".lstrip()
    return task.subject_name or task.subject_key


def facts_of(task: Task) -> str:
    """The facts found by the comparison, as the notice states them."""
    with translation.override(NOTICE_LANGUAGE):
        lead = f"经社会保险数据比对（{task.get_kind_display()}），发现以下情况："
        lines = [f"{label}：{text}" for label, text in evidence_items(task.evidence) if text != ""]
    return "\n".join([lead, *lines, KINDS[task.kind].request]).strip()


def issuing_office_of(task: Task) -> str:
    if task.district_id and task.district:
        return f"乌海市{task.district.name}人力资源和社会保障局"
    return "乌海市人力资源和社会保障局"


def render_html(notice: Notice) -> str:
    with translation.override(NOTICE_LANGUAGE):
        return render_to_string(
            "enforcement/notice_pdf.html",
            {
                "notice": notice,
                "facts_lines": notice.facts.splitlines(),
                "basis_lines": notice.legal_basis.splitlines(),
            },
        )


def html_to_pdf(html: str) -> bytes:
    """An A4 PDF of a document's HTML (the CJK fonts embedded): notices and case documents."""
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def render_pdf(notice: Notice) -> bytes:
    return html_to_pdf(render_html(notice))
