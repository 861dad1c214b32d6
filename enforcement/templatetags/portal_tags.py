"""Small display helpers of the portal's templates."""
from __future__ import annotations

from django import template

from enforcement.services import CONTACT_CHANNELS, CONTACT_OUTCOMES

register = template.Library()

_LABELS = {"reason": "理由", "what_changed": "整改情况", "note": "备注", "number": "文号", "deadline": "期限",
           "case": "执法案件", "assignee_name": "经办人", "message": "内容"}


@register.filter
def event_summary(event) -> str:
    """One line for a timeline event's data, in Chinese."""
    d = event.data or {}
    parts = []
    if "channel" in d:
        parts.append(CONTACT_CHANNELS.get(d["channel"], d["channel"]))
    if "outcome" in d:
        parts.append(CONTACT_OUTCOMES.get(d["outcome"], d["outcome"]))
    for key, label in _LABELS.items():
        if d.get(key) not in (None, ""):
            parts.append(f"{label}：{d[key]}")
    if d.get("bulk"):
        parts.append("批量分派")
    return " · ".join(str(p) for p in parts)


@register.filter
def cell(value) -> str:
    """A roster value as shown in the side-by-side table."""
    if value is None:
        return ""
    if value is True:
        return "是"
    if value is False:
        return "否"
    return str(value)
