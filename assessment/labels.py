"""Assessment's words in the label registry (wuhai_coverage.core.labels): its parameters
(weights, targets, scalars) and its indicator codes. Called from AssessmentConfig.ready."""

from __future__ import annotations

from assessment import parameters
from wuhai_coverage.core import labels


def _parameter(name: str) -> str | None:
    """parameters.label_of for the assessment's own parameter names, None for any other."""
    if name in parameters.SCALARS:
        return parameters.label_of(name)
    kind, _sep, code = name.partition(".")
    if f"{kind}." in (parameters.WEIGHT_PREFIX, parameters.TARGET_PREFIX) and code in parameters.BY_CODE:
        return parameters.label_of(name)
    return None


def register() -> None:
    labels.register_parameters(_parameter)
    labels.register_facts({i.code: i.label for i in parameters.INDICATORS})
