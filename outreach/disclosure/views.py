"""Employer disclosure pages. Public (no login): the yearly headcount table and an
employer's certificate. Staff with manage_disclosure (district caseworkers for their
district, city managers): the filed documents, uploading one, downloading one."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from outreach.disclosure import certificate, selectors, services
from outreach.disclosure.forms import DocumentForm
from wuhai_coverage.core import access
from wuhai_coverage.core.filters import SEARCH_MAX_CHARS, SEARCH_TOO_LONG
from wuhai_coverage.core.http import AuthedRequest
from wuhai_coverage.core.roles import MANAGE_DISCLOSURE

log = logging.getLogger(__name__)
PUBLIC_PAGE_SIZE = 50
DOCUMENTS_PAGE_SIZE = 50


class BadQuery(ValueError):
    pass


def _year(request: HttpRequest) -> int:
    first, last = services.year_range()
    raw = (request.GET.get("year") or "").strip() or str(last)
    if not raw.isdigit() or not first <= int(raw) <= last:
        raise BadQuery(_("年度应在 %(first)s 至 %(last)s 之间") % {"first": first, "last": last})
    return int(raw)


def _q(request: HttpRequest) -> str:
    q = (request.GET.get("q") or "").strip()
    if len(q) > SEARCH_MAX_CHARS:
        raise BadQuery(SEARCH_TOO_LONG % {"limit_value": SEARCH_MAX_CHARS})
    return q


def _bad(request: HttpRequest, exc: BadQuery) -> HttpResponse:
    return render(request, "outreach/bad_request.html", {"message": str(exc)}, status=400)


@require_GET
def public_table(request: HttpRequest) -> HttpResponse:
    try:
        year, q = _year(request), _q(request)
    except BadQuery as exc:
        return _bad(request, exc)
    snapshot = selectors.snapshot_for_year(year)
    rows = selectors.public_rows(snapshot=snapshot, q=q)
    first, last = services.year_range()
    context = {
        "year": year,
        "q": q,
        "snapshot": snapshot,
        "page": Paginator(rows, PUBLIC_PAGE_SIZE).get_page(request.GET.get("page")),
        "years": list(range(last, first - 1, -1)),
    }
    return render(request, "outreach/disclosure_public.html", context)


@require_GET
def public_certificate(request: HttpRequest, uscc: str) -> HttpResponse:
    try:
        year = _year(request)
    except BadQuery as exc:
        return _bad(request, exc)
    snapshot = selectors.snapshot_for_year(year)
    row = selectors.public_row_get(snapshot=snapshot, uscc=uscc.upper())
    response = HttpResponse(
        certificate.certificate_pdf(row=row, snapshot=snapshot), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="disclosure-{row["uscc"]}-{year}.pdf"'
    return response


@login_required
def document_list(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, MANAGE_DISCLOSURE)
    try:
        q = _q(request)
    except BadQuery as exc:
        return _bad(request, exc)
    documents = selectors.document_list(user=request.user, q=q)
    context = {
        "q": q,
        "page": Paginator(documents, DOCUMENTS_PAGE_SIZE).get_page(request.GET.get("page")),
        "jurisdiction": access.jurisdiction_of(request.user),
    }
    return render(request, "outreach/disclosure_documents.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, MANAGE_DISCLOSURE)
    form = DocumentForm(
        request.POST or None, request.FILES or None, initial={"uscc": request.GET.get("uscc", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        employer = selectors.employer_for_upload(user=request.user, uscc=data["uscc"])
        if employer is None:
            form.add_error("uscc", _("本辖区的用人单位中没有这个统一社会信用代码"))
        else:
            try:
                services.document_upload(
                    actor=request.user,
                    employer=employer,
                    kind=data["kind"],
                    year=data["year"],
                    file=data["file"],
                )
            except services.DisclosureError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已上传 %(name)s 的材料") % {"name": employer.name})
                return redirect("outreach:disclosure_documents")
    status = 400 if request.method == "POST" else 200
    return render(request, "outreach/disclosure_upload.html", {"form": form}, status=status)


@login_required
@require_GET
def document_file(request: AuthedRequest, pk: int) -> FileResponse:
    access.require(request.user, MANAGE_DISCLOSURE)
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    try:
        fh = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("file missing") from None
    log.info("disclosure document %s downloaded by %s", document.pk, request.user.username)
    name = f"{document.kind}-{document.uscc}-{document.year}.{document.file.name.rsplit('.', 1)[-1]}"
    return FileResponse(fh, as_attachment=True, filename=name, content_type=document.content_type)
