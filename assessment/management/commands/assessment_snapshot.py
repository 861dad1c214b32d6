"""Take the monthly indicator snapshots by hand: one day, or every past month-end of a year
(the trend of a year that began before the portal, or after beat was down)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import selectors, services


class Command(BaseCommand):
    help = "Take the assessment's monthly indicator snapshots."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: last day of the previous month)")
        parser.add_argument("--year", help="backfill every past month-end of this year")

    def handle(self, *args, as_of=None, year=None, **options):
        today = timezone.localdate()
        if year:
            try:
                y = selectors.year_parse(year, today=today)
            except selectors.BadYear as exc:
                raise CommandError(str(exc)) from None
            days = services.snapshot_backfill(year=y, today=today)
            self.stdout.write(f"{len(days)} month-end snapshot(s): {', '.join(d.isoformat() for d in days)}")
            return
        try:
            day = dt.date.fromisoformat(as_of) if as_of else services.month_end_before(today)
        except ValueError:
            raise CommandError(_("--as-of 应为 YYYY-MM-DD")) from None
        if day > today:
            raise CommandError(_("--as-of 不能为将来日期"))
        n = services.snapshot_take(as_of=day)
        self.stdout.write(f"{n} indicator row(s) as of {day.isoformat()}")
