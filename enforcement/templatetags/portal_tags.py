"""Small display helpers of the portal's templates."""

from __future__ import annotations

from html import escape as _esc

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from enforcement.services import CONTACT_CHANNELS, CONTACT_OUTCOMES, dismiss_reason_label

register = template.Library()

_LABELS = {
    "reason": gettext_lazy("理由"),
    "what_changed": gettext_lazy("整改情况"),
    "note": gettext_lazy("备注"),
    "number": gettext_lazy("文号"),
    "deadline": gettext_lazy("期限"),
    "case": gettext_lazy("执法案件"),
    "assignee_name": gettext_lazy("经办人"),
    "message": gettext_lazy("内容"),
}


@register.filter
def event_summary(event) -> str:
    """One line for a timeline event's data, in the current language."""
    d = event.data or {}
    parts = []
    if "channel" in d:
        parts.append(CONTACT_CHANNELS.get(d["channel"], d["channel"]))
    if "outcome" in d:
        parts.append(CONTACT_OUTCOMES.get(d["outcome"], d["outcome"]))
    if d.get("reason_code"):
        parts.append(_("理由：%(reason)s") % {"reason": dismiss_reason_label(d["reason_code"])})
    if d.get("district_queue"):
        parts.append(_("交由区级办理（街道暂无工作人员账号）"))
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


_QUEUE_HEADS = {
    "kind": gettext_lazy("类型"),
    "status": gettext_lazy("状态"),
    "priority": gettext_lazy("优先级"),
    "street": gettext_lazy("街道"),
    "assignee": gettext_lazy("经办人"),
    "opened": gettext_lazy("生成时间"),
    "due": gettext_lazy("办理期限"),
}


# The queue's rows (cells prepared by views._queue_rows), written here rather than as a
# {% for %} of ~20 template nodes per row: 50 rows of nodes were most of the page's CPU.
# Every value goes through html.escape (what the template's autoescape does to a str).
@register.simple_tag
def queue_rows(rows, *, checkboxes: bool, overdue_label: str, empty: str):
    """The <tr> of every queue row: with a selection checkbox when bulk assignment is offered.
    Each cell has a class (c-…) and its column's name (data-label): on a phone
    (static/css/portal.css, table.queue) a row is drawn as a card of its key columns."""
    if not rows:
        return format_html('<tr><td colspan="9" class="muted">{}</td></tr>', empty)
    badge = f' <span class="badge high">{_esc(str(overdue_label))}</span>'
    heads = {k: _esc(str(v)) for k, v in _QUEUE_HEADS.items()}
    html = []
    for t in rows:
        pk = t["pk"]
        check = (
            f'<td class="c-check"><input type="checkbox" name="task" value="{pk}" aria-label="select {pk}"></td>'
            if checkboxes
            else ""
        )
        resolution = f" <small>{_esc(t['resolution_label'])}</small>" if t["resolution"] else ""
        priority = _esc(t["priority_label"])
        if t["priority"] == "high":
            priority = f'<span class="badge high">{priority}</span>'
        html.append(
            f'<tr class="{"overdue" if t["overdue"] else ""}">{check}<td class="c-name"><a href="{_esc(t["url"])}">{_esc(t["name"])}</a>'
            f'<br><small class="mono">{_esc(t["display_key"])}</small></td>'
            f'<td class="c-kind" data-label="{heads["kind"]}">{_esc(t["kind_label"])}</td>'
            f'<td class="c-status" data-label="{heads["status"]}"><span class="badge st-{_esc(t["status"])}">{_esc(t["status_label"])}</span>{resolution}</td>'
            f'<td class="c-prio" data-label="{heads["priority"]}">{priority}</td>'
            f'<td class="c-street" data-label="{heads["street"]}">{_esc(t["street"])}</td>'
            f'<td class="c-assignee" data-label="{heads["assignee"]}">{_esc(t["assignee"])}</td>'
            f'<td class="c-opened date" data-label="{heads["opened"]}">{_esc(t["opened"])}</td>'
            f'<td class="c-due date" data-label="{heads["due"]}">{_esc(t["due"])}{badge if t["overdue"] else ""}</td></tr>'
        )
    return mark_safe("\n".join(html))  # noqa: S308 — every value is escaped above


@register.simple_tag(takes_context=True)
def compare_rows(context, aspects):
    """The rows of the task page's side-by-side table (cells prepared by the view in
    `aspect.cells`): one pass in Python instead of ~70 template cells. A personal value
    (ID number, phone) is drawn by enforcement/_masked.html with its reveal button."""
    masked = None
    mismatch = gettext("不一致")  # outside the f-string, where makemessages can see it
    mismatch_badge = f' <span class="badge high" title="mismatch">{_esc(mismatch)}</span>'
    html = []
    for a in aspects:
        cells = []
        for diff, v in a.cells:
            if a.revealable and v:
                if masked is None:
                    masked = context.template.engine.get_template("enforcement/_masked.html")
                with context.push(shown=v, value=v, field=a.personal, can_reveal=context["can"]["reveal"]):
                    inner = masked.render(context)
            else:
                inner = _esc(str(v))
            cells.append(f'<td class="{diff}">{inner}</td>')
        html.append(
            f'<tr class="{"mismatch" if a.mismatch else ""}"><th scope="row">{_esc(str(a.label))}'
            f"{mismatch_badge if a.mismatch else ''}</th>{''.join(cells)}</tr>"
        )
    return mark_safe("\n".join(html))  # noqa: S308 — values escaped above, the masked part by its template
