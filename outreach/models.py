"""Outreach (宣传引导): publicity postings per community (in use), events (declared for
the outreach issue; see OutreachEvent)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wuhai_coverage.core.models import Community, District


class PublicityPosting(models.Model):
    """A publicity posting (张贴参保政策宣传材料) in a community — the policy's 100 % target."""

    community = models.ForeignKey(
        Community, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="postings"
    )
    posted_on = models.DateField(_("张贴日期"))
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("张贴人"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    photo = models.FileField(_("照片"), upload_to="postings/%Y/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-posted_on", "-id"]
        verbose_name = _("宣传张贴")
        verbose_name_plural = _("宣传张贴")
        indexes = [models.Index(fields=["community", "posted_on"], name="posting_community_idx")]


class OutreachEvent(models.Model):
    """A publicity event: livestream, publicity month/day, media Q&A, community talk, lecture.

    Not read or written yet: the outreach issue (events, SMS pushes, the pension
    estimator) gives it its pages and services. Kept, with its table, so that work
    starts from the declared kinds instead of a new migration."""

    class Kind(models.TextChoices):
        LIVESTREAM = "livestream", _("走进直播间")
        PUBLICITY_MONTH = "publicity_month", _("社会保险宣传月（日）")
        MEDIA_QA = "media_qa", _("媒体政策问答")
        COMMUNITY_TALK = "community_talk", _("社保知识进社区")
        ENTERPRISE_LECTURE = "enterprise_lecture", _("企业参保大讲堂")

    kind = models.CharField(_("活动类型"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("活动名称"), max_length=200)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("地点"), max_length=200)
    held_on = models.DateField(_("日期"))
    reach = models.PositiveIntegerField(_("覆盖人数"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("宣传活动")
        verbose_name_plural = _("宣传活动")


# SMS pushes live in their own module (outreach/sms/models.py); imported here so that
# Django registers them with the outreach app.
from outreach.sms.models import SmsCampaign, SmsMessage, SmsOptOut, SmsPersonLedger  # noqa: E402, F401
