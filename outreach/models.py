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


class PensionParameter(models.Model):
    """A parameter of the pension estimator (outreach/pension/calculator.py names them),
    valid from `from_year` until the next row of the same name. Seeded from
    fixtures/pension_parameters.json on first use; city managers edit them with history."""

    name = models.CharField(_("参数"), max_length=48)
    from_year = models.PositiveSmallIntegerField(_("起始年度"))
    value = models.DecimalField(_("取值"), max_digits=14, decimal_places=4)
    unverified = models.BooleanField(_("待核实"), default=False)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "from_year"]
        verbose_name = _("养老金测算参数")
        verbose_name_plural = _("养老金测算参数")
        constraints = [
            models.UniqueConstraint(fields=["name", "from_year"], name="pension_parameter_name_year_uniq"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="pension_parameter_value_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.name}@{self.from_year}={self.value}"


class PensionParameterChange(models.Model):
    """The history of the estimator's parameters: who changed which (year), when, old → new, why."""

    name = models.CharField(_("参数"), max_length=48, db_index=True)
    from_year = models.PositiveSmallIntegerField(_("起始年度"))
    old_value = models.DecimalField(_("原值"), max_digits=14, decimal_places=4, null=True, blank=True)
    new_value = models.DecimalField(_("新值"), max_digits=14, decimal_places=4)
    old_unverified = models.BooleanField(_("原为待核实"), null=True, blank=True)
    new_unverified = models.BooleanField(_("现为待核实"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("修改时间"), auto_now_add=True, db_index=True)
    reason = models.CharField(_("说明"), max_length=200)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("养老金测算参数修改记录")
        verbose_name_plural = _("养老金测算参数修改记录")

    def __str__(self) -> str:
        return f"{self.name}@{self.from_year}: {self.old_value} → {self.new_value}"


# SMS pushes live in their own module (outreach/sms/models.py); imported here so that
# Django registers them with the outreach app.
from outreach.sms.models import SmsCampaign, SmsMessage, SmsOptOut, SmsPersonLedger  # noqa: E402, F401
