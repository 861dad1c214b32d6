"""Forms of the case pages: they validate what a person typed; the services decide
whether the case's status allows it."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from enforcement.cases import services
from enforcement.cases.models import CaseOutcome, FindingSource, ViolationKind
from enforcement.models import EnforcementCase
from enforcement.services import MAX_TEXT

MAX_HEADCOUNT = 1_000_000


class CaseOpenForm(forms.Form):
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, min_length=18)
    name = forms.CharField(label=_("单位名称（登记信息中没有该单位时填写）"), max_length=200, required=False)
    case_type = forms.ChoiceField(label=_("案件类型"), choices=EnforcementCase.CaseType.choices)
    note = forms.CharField(label=_("立案说明"), max_length=MAX_TEXT, required=False, widget=forms.Textarea)


class ViolationForm(forms.Form):
    kind = forms.ChoiceField(label=_("违法行为"), choices=ViolationKind.choices)
    description = forms.CharField(label=_("情况说明"), max_length=MAX_TEXT, widget=forms.Textarea)
    period_from = forms.DateField(label=_("起始时间"), required=False)
    period_to = forms.DateField(label=_("截止时间"), required=False)


class WithdrawForm(forms.Form):
    violation = forms.IntegerField(min_value=1)
    reason = forms.CharField(label=_("撤销理由"), max_length=MAX_TEXT)


class FindingForm(forms.Form):
    source = forms.ChoiceField(label=_("来源"), choices=FindingSource.choices)
    period = forms.DateField(label=_("所属期"), input_formats=["%Y-%m", "%Y-%m-%d"])
    verified_headcount = forms.IntegerField(label=_("核定用工人数"), min_value=0, max_value=MAX_HEADCOUNT)
    verified_monthly_base = forms.DecimalField(
        label=_("核定月缴费基数合计（元）"), max_digits=14, decimal_places=2, min_value=Decimal(0)
    )
    declared_headcount = forms.IntegerField(
        label=_("申报参保人数"), required=False, min_value=0, max_value=MAX_HEADCOUNT
    )
    declared_monthly_base = forms.DecimalField(
        label=_("申报月缴费基数合计（元）"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
    )
    note = forms.CharField(label=_("说明"), max_length=MAX_TEXT, required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("文件（PDF/JPEG/PNG/XLSX）"))
    description = forms.CharField(label=_("说明"), max_length=200, required=False)


class OrderForm(forms.Form):
    working_days = forms.IntegerField(
        label=_("改正期限（工作日）"),
        min_value=1,
        max_value=services.ORDER_MAX_WORKING_DAYS,
        initial=services.ORDER_DEFAULT_WORKING_DAYS,
    )
    issuing_office = forms.CharField(label=_("发文机关"), max_length=120, required=False)


class PenaltyNoticeForm(forms.Form):
    proposed_fine = forms.DecimalField(
        label=_("拟罚款金额（元）"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=services.PENALTY_MAX_FINE,
    )
    issuing_office = forms.CharField(label=_("发文机关"), max_length=120, required=False)


class RectifiedForm(forms.Form):
    what_changed = forms.CharField(label=_("整改情况"), max_length=MAX_TEXT)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("结案方式"), choices=CaseOutcome.choices)
    note = forms.CharField(label=_("结案说明"), max_length=MAX_TEXT, required=False)


class CaseNoteForm(forms.Form):
    note = forms.CharField(label=_("备注"), max_length=MAX_TEXT)


class ArrearsPeriodForm(forms.Form):
    period = forms.RegexField(label=_("费款所属期（YYYYMM）"), regex=r"^\d{6}$", max_length=6)
    owed = forms.DecimalField(
        label=_("应缴金额（元，留空则按稽核结果计算）"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
    )


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("缴费日期"))
    amount = forms.DecimalField(
        label=_("缴费金额（元）"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    reference = forms.CharField(label=_("凭证号"), max_length=60, required=False)


class FineForm(forms.Form):
    amount = forms.DecimalField(
        label=_("罚款金额（元）"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    reason = forms.CharField(label=_("裁量理由"), max_length=MAX_TEXT)
