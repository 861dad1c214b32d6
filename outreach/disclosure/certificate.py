"""An employer's public row as a Chinese A4 PDF certificate (参保情况公示证明).

Rendered like the notices (enforcement/notices.py): WeasyPrint with the Noto CJK fonts of
the machine, nothing fetched from the network. The stylesheet is a file beside this
module and is handed to WeasyPrint, so the template holds no <style> (the CSP test reads
every template). The certificate holds what the public page shows, nothing more."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone, translation

from outreach.disclosure.selectors import Snapshot

# A certificate is a document in Chinese only, whatever language the visitor's pages are in.
CERTIFICATE_LANGUAGE = "zh-hans"
STYLESHEET = Path(__file__).with_name("certificate.css")
ISSUER = "乌海市人力资源和社会保障局"


def render_html(*, row: dict, snapshot: Snapshot, today: dt.date | None = None) -> str:
    with translation.override(CERTIFICATE_LANGUAGE):
        return render_to_string(
            "outreach/disclosure_certificate_pdf.html",
            {
                "row": row,
                "snapshot": snapshot,
                "issuer": ISSUER,
                "today": today or timezone.localdate(),
                "number": f"乌人社公示〔{snapshot.year}〕{row['uscc']}",
            },
        )


def render_pdf(*, row: dict, snapshot: Snapshot) -> bytes:
    from weasyprint import CSS, HTML

    return HTML(string=render_html(row=row, snapshot=snapshot)).write_pdf(
        stylesheets=[CSS(filename=str(STYLESHEET))]
    )
