"""Publicity postings (宣传张贴) per community: list with the year's coverage, record one,
see its photo — street staff, caseworkers and city managers within their jurisdiction."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from outreach import selectors, services
from outreach.forms import PostingForm
from wuhai_coverage.core import access
from wuhai_coverage.core.http import AuthedRequest
from wuhai_coverage.core.roles import POST_PUBLICITY

POSTINGS_PAGE_SIZE = 50


def _year(request: AuthedRequest) -> int | None:
    today = timezone.localdate()
    raw = request.GET.get("year") or str(today.year)
    try:
        year = int(raw)
    except ValueError:
        return None
    return year if services.EARLIEST_POSTING.year <= year <= today.year else None


@login_required
def posting_list(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, POST_PUBLICITY)
    year = _year(request)
    if year is None:
        return render(request, "outreach/bad_request.html", {"message": _("年度无效")}, status=400)
    today = timezone.localdate()
    until = min(today, dt.date(year, 12, 31))
    coverage = list(selectors.community_coverage_list(user=request.user, year=year, until=until))
    postings = selectors.posting_list(user=request.user, year=year)
    context = {
        "year": year,
        "coverage": coverage,
        "covered": sum(1 for c in coverage if c.n_postings),
        "page": Paginator(postings, POSTINGS_PAGE_SIZE).get_page(request.GET.get("page")),
        "years": list(range(today.year, services.EARLIEST_POSTING.year - 1, -1)),
        "jurisdiction": access.jurisdiction_of(request.user),
    }
    return render(request, "outreach/postings.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def posting_create(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, POST_PUBLICITY)
    initial = {}
    if code := request.GET.get("community"):
        initial["community"] = selectors.community_get_for_user(user=request.user, code=code)
    communities = selectors.community_list(user=request.user)
    form = PostingForm(request.POST or None, request.FILES or None, communities=communities, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            posting = services.posting_create(posted_by=request.user, **form.cleaned_data)
        except services.PostingError as exc:
            form.add_error("posted_on", str(exc))
        else:
            messages.success(request, _("已记录宣传张贴"))
            return redirect(reverse("outreach:postings") + f"?year={posting.posted_on.year}")
    status = 400 if request.method == "POST" else 200
    return render(request, "outreach/posting_form.html", {"form": form}, status=status)


@login_required
def posting_photo(request: AuthedRequest, pk: int) -> FileResponse:
    access.require(request.user, POST_PUBLICITY)
    posting = selectors.posting_get_for_user(user=request.user, pk=pk)
    if not posting.photo:
        raise Http404("no photo")
    try:
        fh = posting.photo.open("rb")
    except FileNotFoundError:
        raise Http404("no photo") from None
    return FileResponse(fh, filename=posting.photo.name.rsplit("/", 1)[-1])
