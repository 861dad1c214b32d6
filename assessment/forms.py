from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from assessment import parameters


class ParametersForm(forms.Form):
    """Every editable parameter as a number field (validated together by the service)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in parameters.defaults():
            low, high = parameters.bounds(name)
            self.fields[name] = forms.DecimalField(
                label=parameters.label_of(name), max_digits=9, decimal_places=4, min_value=low, max_value=high
            )
        self.fields["reason"] = forms.CharField(label=_("修改说明"), max_length=200, required=False)
