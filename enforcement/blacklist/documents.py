"""The prior notice (失信告知书) as a Chinese A4 PDF, rendered by WeasyPrint like the
task notices (enforcement/notices.py): embedded Noto CJK fonts, nothing fetched."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from enforcement.blacklist import parameters
from enforcement.models import BlacklistEntry
from enforcement.notices import NOTICE_LANGUAGE

ISSUING_OFFICE = "乌海市人力资源和社会保障局"


def render_html(entry: BlacklistEntry) -> str:
    with translation.override(NOTICE_LANGUAGE):
        return render_to_string(
            "blacklist/notice_pdf.html",
            {
                "entry": entry,
                "office": ISSUING_OFFICE,
                "working_days": parameters.statement_working_days(),
                "listing_years": parameters.listing_years(),
                "reason_lines": entry.reason.splitlines(),
            },
        )


def render_pdf(entry: BlacklistEntry) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(entry)).write_pdf()
