"""SMS push pages: the campaigns of the user's jurisdiction, a new campaign (choose the
tasks, write the template), its preview (count, samples, parts) and send button, the
progress while it sends (htmx polling), the delivery log; the opt-out list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from outreach.sms import selectors, services
from outreach.sms.forms import CampaignForm, OptOutForm
from outreach.sms.models import SmsCampaign, SmsMessage
from wuhai_coverage.core import access
from wuhai_coverage.core.http import AuthedRequest
from wuhai_coverage.core.roles import SEND_SMS

CAMPAIGNS_PAGE_SIZE = 30
MESSAGES_PAGE_SIZE = 50
OPT_OUTS_PAGE_SIZE = 50


@login_required
def campaign_list(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, SEND_SMS)
    page = Paginator(selectors.campaign_list(user=request.user), CAMPAIGNS_PAGE_SIZE)
    return render(request, "outreach/sms_campaigns.html", {"page": page.get_page(request.GET.get("page"))})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, SEND_SMS)
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, **form.cleaned_data)
        except services.SmsError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("outreach:sms_campaign", pk=campaign.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "outreach/sms_campaign_form.html", {"form": form}, status=status)


@login_required
def campaign_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    access.require(request.user, SEND_SMS)
    campaign = selectors.campaign_get_for_user(user=request.user, pk=pk)
    status = request.GET.get("status", "")
    context = {
        "campaign": campaign,
        "counts": selectors.campaign_counts(campaign),
        "samples": selectors.campaign_samples(campaign),
        "statuses": SmsMessage.Status.choices,
        "status": status,
        "page": Paginator(
            selectors.message_list(campaign=campaign, status=status), MESSAGES_PAGE_SIZE
        ).get_page(request.GET.get("page")),
        "active": campaign.status in (SmsCampaign.Status.QUEUED, SmsCampaign.Status.SENDING),
    }
    if request.headers.get("HX-Request"):
        return render(request, "outreach/sms_progress.html", context)
    return render(request, "outreach/sms_campaign.html", context)


@login_required
@require_POST
def campaign_send(request: AuthedRequest, pk: int) -> HttpResponse:
    access.require(request.user, SEND_SMS)
    campaign = selectors.campaign_get_for_user(user=request.user, pk=pk)
    try:
        services.campaign_send_request(campaign=campaign, actor=request.user)
    except services.CampaignStateError as exc:
        return render(request, "outreach/bad_request.html", {"message": str(exc)}, status=409)
    messages.success(request, _("已开始发送"))
    return redirect("outreach:sms_campaign", pk=campaign.pk)


@login_required
@require_http_methods(["GET", "POST"])
def opt_out_list(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, SEND_SMS)
    form = OptOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.opt_out_add(actor=request.user, **form.cleaned_data)
        except services.SmsError as exc:
            form.add_error("phone", str(exc))
        else:
            messages.success(request, _("已登记退订") if created else _("该号码已在退订名单中"))
            return redirect("outreach:sms_opt_outs")
    page = Paginator(selectors.opt_out_list(), OPT_OUTS_PAGE_SIZE).get_page(request.GET.get("page"))
    status = 400 if request.method == "POST" else 200
    return render(request, "outreach/sms_opt_outs.html", {"form": form, "page": page}, status=status)
