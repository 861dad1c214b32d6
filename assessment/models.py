"""Assessment (考核): indicators, scores and rankings are computed from the other apps'
data; this app stores only its own parameters (with their history) and the monthly
indicator snapshots behind the trend charts (issue: Assessment)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wuhai_coverage.core.models import District


class AssessmentParameter(models.Model):
    """An edited weight, target, pass score, penalty or base share (assessment/parameters.py
    holds the names and defaults; a parameter without a row has its default)."""

    name = models.CharField(_("参数"), max_length=48, primary_key=True)
    value = models.DecimalField(_("取值"), max_digits=9, decimal_places=4)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("考核参数")
        verbose_name_plural = _("考核参数")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class AssessmentParameterChange(models.Model):
    """The history of the parameters: who changed which, when, old → new."""

    name = models.CharField(_("参数"), max_length=48, db_index=True)
    old_value = models.DecimalField(_("原值"), max_digits=9, decimal_places=4)
    new_value = models.DecimalField(_("新值"), max_digits=9, decimal_places=4)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("修改时间"), auto_now_add=True, db_index=True)
    reason = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("考核参数修改记录")
        verbose_name_plural = _("考核参数修改记录")

    def __str__(self) -> str:
        return f"{self.name}: {self.old_value} → {self.new_value}"


class IndicatorSnapshot(models.Model):
    """One indicator of one district as of a month's last day (Celery beat on the 1st).
    Counts, not scores: the trend's scores are recomputed from them with the current
    parameters, the same way as the live ranking."""

    as_of = models.DateField(_("统计截止日"))
    year = models.PositiveSmallIntegerField(_("考核年度"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    indicator = models.CharField(_("指标"), max_length=32)
    numerator = models.IntegerField(_("分子"), null=True)  # null: not measurable (a snapshot missing)
    denominator = models.IntegerField(_("分母"), null=True)
    # interruption_rate only: last year's counts, the baseline its target is.
    baseline_numerator = models.IntegerField(null=True, blank=True)
    baseline_denominator = models.IntegerField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    taken_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "as_of", "district", "indicator"]
        verbose_name = _("指标月度快照")
        verbose_name_plural = _("指标月度快照")
        constraints = [
            models.UniqueConstraint(
                fields=["as_of", "district", "indicator"], name="one_indicator_snapshot_per_day"
            ),
        ]
        indexes = [models.Index(fields=["year", "district"], name="indicator_snapshot_year_idx")]

    def __str__(self) -> str:
        return f"{self.as_of} {self.district_id} {self.indicator}: {self.numerator}/{self.denominator}"
