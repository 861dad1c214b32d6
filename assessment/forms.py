from __future__ import annotations

from django import forms

from assessment import parameters as P


class ParametersForm(forms.Form):
    """Every editable parameter as a number field (validated together by the service)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in P.defaults():
            self.fields[name] = forms.DecimalField(
                label=P.label_of(name), max_digits=9, decimal_places=4, min_value=0, max_value=100
            )
        self.fields["reason"] = forms.CharField(label="修改说明 / reason", max_length=200, required=False)
