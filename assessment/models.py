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


class IndicatorRun(models.Model):
    """One materialisation of a snapshot indicator's rows (`IndicatorRow`) and their counts
    per district and street (`IndicatorCount`) for one period, keyed by the digest of its
    inputs (the snapshot set current at the period's D and the comparison's thresholds).
    The pages use it only when its digest is the one of the inputs current now, so a stale
    materialisation is never shown; the nightly job writes it, one per indicator and year.

    The three tables are UNLOGGED on PostgreSQL (migration 0002): derived data, rebuilt from
    the snapshots at will, so writing and purging them costs no WAL. A crash empties all three
    together, and the pages fall back to the live row queries until the next materialisation."""

    indicator = models.CharField(_("指标"), max_length=32)
    year = models.PositiveSmallIntegerField(_("考核年度"))
    as_of = models.DateField(_("统计截止日"))
    digest = models.CharField(max_length=32)
    rows = models.IntegerField(default=0)
    seconds = models.FloatField(default=0)  # how long the materialisation took
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("指标明细物化")
        verbose_name_plural = _("指标明细物化")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "as_of", "digest"], name="one_indicator_run_per_digest"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.as_of} {self.digest}"


class IndicatorRow(models.Model):
    """One row of an indicator's row query (assessment.selectors.ROW_QUERIES), as of its run.
    `pos` numbers a district's rows by key (1, 2, …) and `sub_pos` its hit / not-hit rows
    apart, so that page N of the drill-down is an index range (pos > (N − 1) × size), at
    the same cost on the first page and on the last. `data` holds the drill-down's extra
    columns; ID numbers are stored as the snapshots hold them and masked where shown."""

    run = models.ForeignKey(
        IndicatorRun, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    district_code = models.CharField(max_length=12)
    # As the row query gives them: NULL is "no street" (a project) or a roster without a name.
    street_code = models.CharField(max_length=12, null=True)  # noqa: DJ001
    key = models.TextField()
    name = models.TextField(null=True)  # noqa: DJ001
    hit = models.BooleanField()
    pos = models.IntegerField()
    sub_pos = models.IntegerField()
    data = models.JSONField(default=dict)

    class Meta:
        indexes = [
            models.Index(fields=["run", "district_code", "pos"], name="indicator_row_page_idx"),
            models.Index(fields=["run", "district_code", "hit", "sub_pos"], name="indicator_row_subset_idx"),
        ]


class IndicatorCount(models.Model):
    """Σ hit and COUNT(*) of a run's rows per district and street (the ranking reads these)."""

    run = models.ForeignKey(
        IndicatorRun, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    district_code = models.CharField(max_length=12)
    street_code = models.CharField(max_length=12, null=True)  # noqa: DJ001
    numerator = models.IntegerField()
    denominator = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["run", "district_code"], name="indicator_count_run_idx")]
