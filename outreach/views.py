"""Publicity postings (宣传张贴) per community: list with the year's coverage, record one,
see its photo — street staff, caseworkers and city managers within their jurisdiction."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from outreach import selectors, services
from outreach.forms import PostingForm
from wuhai_coverage.core import access
from wuhai_coverage.core.roles import POST_PUBLICITY


def _year(request: HttpRequest) -> int | None:
    today = timezone.localdate()
    raw = request.GET.get("year") or str(today.year)
    try:
        year = int(raw)
    except ValueError:
        return None
    return year if services.EARLIEST_POSTING.year <= year <= today.year else None


@login_required
def posting_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, POST_PUBLICITY)
    year = _year(request)
    if year is None:
        return render(
            request, "outreach/bad_request.html", {"message": "年度无效 / invalid year"}, status=400
        )
    today = timezone.localdate()
    until = min(today, dt.date(year, 12, 31))
    coverage = list(selectors.community_coverage(user=request.user, year=year, until=until))
    postings = selectors.postings_for_user(user=request.user).filter(posted_on__year=year)
    page = Paginator(postings, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "outreach/postings.html",
        {
            "year": year,
            "coverage": coverage,
            "covered": sum(1 for c in coverage if c.n_postings),
            "page": page,
            "years": list(range(today.year, services.EARLIEST_POSTING.year - 1, -1)),
            "jurisdiction": access.jurisdiction_of(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def posting_create(request: HttpRequest) -> HttpResponse:
    access.require(request.user, POST_PUBLICITY)
    communities = selectors.communities_for_user(user=request.user)
    initial = {}
    if request.GET.get("community"):
        initial["community"] = access.get_for_user(
            communities, request.user, code=request.GET["community"], **selectors.COMMUNITY_PATH
        )
    form = PostingForm(request.POST or None, request.FILES or None, communities=communities, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.posting_create(posted_by=request.user, **form.cleaned_data)
            except services.PostingError as exc:
                form.add_error("posted_on", str(exc))
            else:
                messages.success(request, "已记录宣传张贴 / posting recorded")
                return redirect(reverse("outreach:postings") + f"?year={form.cleaned_data['posted_on'].year}")
        status = 400
    return render(request, "outreach/posting_form.html", {"form": form}, status=status)


@login_required
def posting_photo(request: HttpRequest, pk: int) -> FileResponse:
    access.require(request.user, POST_PUBLICITY)
    posting = selectors.posting_get_for_user(user=request.user, pk=pk)
    if not posting.photo:
        raise Http404("no photo")
    try:
        fh = posting.photo.open("rb")
    except FileNotFoundError:
        raise Http404("no photo") from None
    return FileResponse(fh, filename=posting.photo.name.rsplit("/", 1)[-1])
