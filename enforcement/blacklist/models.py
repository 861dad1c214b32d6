"""The blacklist's own tables beside BlacklistEntry/BlacklistEvent (enforcement/models.py):
the yearly number series of the prior notices, and the delivery log partners read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wuhai_coverage.core.models import Department


class BlacklistNoticeSequence(models.Model):
    """The per-year counter of 失信告知书 numbers (乌人社失告〔2026〕0001号), its own series
    beside the task notices', advanced under a row lock."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("失信告知书文号序列")
        verbose_name_plural = _("失信告知书文号序列")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class BlacklistDelivery(models.Model):
    """One row per partner department per change of the published list (an entry listed,
    or removed): the department reads its rows and acknowledges each once it has applied
    (or lifted) its measures."""

    class Change(models.TextChoices):
        LISTED = "listed", _("列入")
        REMOVED = "removed", _("移出")

    entry = models.ForeignKey(
        "enforcement.BlacklistEntry", on_delete=models.CASCADE, related_name="deliveries"
    )
    department = models.CharField(_("部门"), max_length=20, choices=Department.choices)
    change = models.CharField(_("变更"), max_length=10, choices=Change.choices)
    created_at = models.DateTimeField(_("推送时间"), auto_now_add=True, db_index=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("失信名单推送")
        verbose_name_plural = _("失信名单推送")
        indexes = [models.Index(fields=["department", "acknowledged_at"], name="blacklist_delivery_dept_idx")]
