"""Outreach (宣传引导): publicity postings per community, events with their photos, and
employers' disclosure documents (commitment letters, union confirmations)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
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

    Recorded and shown on the month calendar by outreach.events; a null district is a
    city-wide event (recorded by a city manager)."""

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
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        ordering = ["-held_on"]
        indexes = [models.Index(fields=["held_on", "district"], name="event_month_idx")]
        verbose_name = _("宣传活动")
        verbose_name_plural = _("宣传活动")


# --- Employer disclosure (参保信息公开) and events' photos: the outreach issue ------------


class DisclosureDocument(models.Model):
    """An employer's commitment letter (参保承诺书) or union confirmation (工会确认) for a year,
    uploaded by a caseworker of the employer's district. The employer is named by its USCC
    (with its name and district copied at upload) rather than by a foreign key: the registry
    refresh deletes an employer that left every snapshot, and a filed letter must outlive it."""

    class Kind(models.TextChoices):
        COMMITMENT_LETTER = "commitment_letter", _("参保承诺书")
        UNION_CONFIRMATION = "union_confirmation", _("工会确认")

    kind = models.CharField(_("材料类型"), max_length=24, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    employer_name = models.CharField(_("单位名称"), max_length=200)
    district = models.ForeignKey(
        District, verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("文件"), upload_to="disclosure/%Y/")
    content_type = models.CharField(max_length=32)  # from the file's magic bytes, never the client's
    size_bytes = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("公开材料")
        verbose_name_plural = _("公开材料")
        indexes = [models.Index(fields=["uscc", "year", "kind"], name="disclosure_doc_idx")]


class OutreachEventPhoto(models.Model):
    """A photo of an event (type-checked like a posting's photo, served through its page)."""

    event = models.ForeignKey(OutreachEvent, on_delete=models.CASCADE, related_name="photos")
    photo = models.FileField(_("照片"), upload_to="events/%Y/")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
