"""Small display helpers of the portal's templates."""
from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enforcement.services import CONTACT_CHANNELS, CONTACT_OUTCOMES

register = template.Library()

_LABELS = {"reason": gettext_lazy("理由"), "what_changed": gettext_lazy("整改情况"), "note": gettext_lazy("备注"),
           "number": gettext_lazy("文号"), "deadline": gettext_lazy("期限"), "case": gettext_lazy("执法案件"),
           "assignee_name": gettext_lazy("经办人"), "message": gettext_lazy("内容")}


@register.filter
def event_summary(event) -> str:
    """One line for a timeline event's data, in the current language."""
    d = event.data or {}
    parts = []
    if "channel" in d:
        parts.append(CONTACT_CHANNELS.get(d["channel"], d["channel"]))
    if "outcome" in d:
        parts.append(CONTACT_OUTCOMES.get(d["outcome"], d["outcome"]))
    for key, label in _LABELS.items():
        if d.get(key) not in (None, ""):
            parts.append(_("%(label)s：%(value)s") % {"label": label, "value": d[key]})
    if d.get("bulk"):
        parts.append(_("批量分派"))
    return " · ".join(str(p) for p in parts)


@register.filter
def cell(value) -> str:
    """A roster value as shown in the side-by-side table."""
    if value is None:
        return ""
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    return str(value)
