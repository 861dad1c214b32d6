"""The demo-database marker: the one row that lets `load_demo_data` run again."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoMarker(models.Model):
    """The one row that says "this database holds the demo dataset": written by
    `load_demo_data`, which refuses a database that has users but no marker (a
    production database must never get the published demo password). `user_ids` are
    the users a demo load created: only those are ever reset to the demo password."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    loaded_at = models.DateTimeField(auto_now=True)
    user_ids = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("演示数据库标记")
        verbose_name_plural = _("演示数据库标记")
        constraints = [models.CheckConstraint(name="demo_marker_single_row", condition=models.Q(id=1))]

    def __str__(self) -> str:
        return f"demo database since {self.created_at:%Y-%m-%d}"
