"""An employer's public row as a Chinese A4 PDF certificate (参保情况公示证明).

Rendered like the notices (enforcement/notices.py): WeasyPrint with the Noto CJK fonts of
the machine, nothing fetched from the network. The stylesheet is a file beside this
module and is handed to WeasyPrint, so the template holds no <style> (the CSP test reads
every template). The certificate holds what the public page shows, nothing more."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone, translation

from outreach.disclosure.selectors import Snapshot

# A certificate is a document in Chinese only, whatever language the visitor's pages are in.
CERTIFICATE_LANGUAGE = "zh-hans"
STYLESHEET = Path(__file__).with_name("certificate.css")
ISSUER = "乌海市人力资源和社会保障局"
# The certificate is public and WeasyPrint costs ~0.2 s of CPU: a rendered PDF is kept in the
# shared cache, keyed by everything it shows (the snapshot, the row, the day it is dated),
# so repeated downloads cost a cache read and a changed row or a new day renders afresh.
CACHE_SECONDS = 3600


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


def cache_key(*, row: dict, snapshot: Snapshot) -> str:
    batch = snapshot.batch.pk if snapshot.batch else 0
    shown = ":".join(str(row[k]) for k in sorted(row))
    digest = hashlib.sha256(shown.encode()).hexdigest()[:32]
    return f"disclosure-certificate:{snapshot.year}:{batch}:{timezone.localdate():%Y%m%d}:{digest}"


def certificate_pdf(*, row: dict, snapshot: Snapshot) -> bytes:
    """The certificate, from the cache when the same one was rendered today."""
    key = cache_key(row=row, snapshot=snapshot)
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_pdf(row=row, snapshot=snapshot)
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf
