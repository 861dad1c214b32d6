"""The estimator's form (GET, public) and the parameters' edit form (city managers)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outreach.pension import calculator as calc
from outreach.pension import services

ENTERPRISE, RESIDENTS = calc.ENTERPRISE, calc.RESIDENTS
MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d"]
FIELDS = {
    ENTERPRISE: ("birth", "category", "years", "indexes", "balance", "monthly_base", "shift_months"),
    RESIDENTS: ("birth", "tier", "years", "balance"),
}


def _money(label: Any, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, max_digits=12, decimal_places=2, help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}),
    )  # fmt: skip


class CalculatorForm(forms.Form):
    """Format checks here; the rules (ranges, years within 16 to retirement…) are the
    calculator's, shared with the API."""

    birth = forms.DateField(
        label=_("出生年月"),
        input_formats=MONTH_FORMATS,
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "1975-06"}, format="%Y-%m"),
        error_messages={"invalid": _("请按“年-月”填写出生年月，如 1975-06")},
    )
    category = forms.ChoiceField(
        label=_("人员类别"),
        choices=[(c, "") for c in calc.REFORM_2025],  # labels set in __init__ (active language)
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("请选择人员类别")},
    )
    years = forms.DecimalField(
        label=_("缴费年限（年，含视同缴费年限）"),
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5", "min": "0"}),
    )
    indexes = forms.CharField(
        label=_("缴费指数"),
        max_length=600,
        help_text=_("本人缴费工资 ÷ 当年社会平均工资；可填一个平均值，或逐年填写，用逗号分隔"),
        widget=forms.TextInput(attrs={"placeholder": "1.0, 1.2, 0.8", "inputmode": "decimal"}),
    )
    balance = _money(_("个人账户储存额（元）"), _("不填则按月缴费基数推算"))
    monthly_base = _money(_("月缴费基数（元，用于推算至退休）"))
    shift_months = forms.IntegerField(
        label=_("弹性退休：提前（负数）或推迟（正数）的月数"),
        required=False,
        min_value=-calc.FLEX_MAX_MONTHS,
        max_value=calc.FLEX_MAX_MONTHS,
        help_text=_("可不填；提前不早于原退休年龄且须缴满最低年限，推迟最多 3 年"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}),
    )
    tier = forms.TypedChoiceField(
        label=_("缴费档次（元/年）"),
        coerce=int,
        choices=[(t, t) for t in calc.RESIDENTS_TIERS],
        error_messages={"invalid_choice": _("请选择缴费档次")},
    )

    def __init__(self, *args: Any, scheme: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        for name in list(self.fields):
            if name not in FIELDS[scheme]:
                del self.fields[name]
        if "category" in self.fields:
            field = self.fields["category"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(c, calc.category_label(c)) for c in calc.REFORM_2025]
        if scheme == RESIDENTS:
            self.fields["balance"].label = _("已有个人账户储存额（元，可不填）")
            self.fields["balance"].help_text = ""

    def clean_indexes(self) -> tuple:
        try:
            return calc.indexes_parse(self.cleaned_data["indexes"])
        except calc.InputError as exc:
            raise forms.ValidationError(exc.errors["indexes"]) from None


class ParameterForm(forms.Form):
    name = forms.ChoiceField(label=_("参数"), choices=())
    from_year = forms.IntegerField(
        label=_("起始年度"), min_value=services.FIRST_YEAR, max_value=services.LAST_YEAR
    )
    value = forms.DecimalField(
        label=_("取值"), min_value=0, max_value=services.MAX_VALUE, max_digits=14, decimal_places=4
    )
    unverified = forms.BooleanField(label=_("待核实"), required=False)
    reason = forms.CharField(label=_("修改说明"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["name"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(n, calc.parameter_label(n)) for n in calc.PARAMETER_NAMES]
