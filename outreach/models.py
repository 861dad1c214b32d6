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
