"""python manage.py load_holidays fixtures/holidays_cn.json [--actor USERNAME]

Adds (or updates) the public holidays and make-up workdays of a holiday file in the
working-day calendar — all or nothing — and names the periods the file marks unverified."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from enforcement.workdays.loader import holidays_load_file
from enforcement.workdays.services import CalendarError
from wuhai_coverage.core.models import User
from wuhai_coverage.core.text import site_language


class Command(BaseCommand):
    help = "Load public holidays and make-up workdays into the working-day calendar."

    def add_arguments(self, parser):
        parser.add_argument("path", help="holiday file, e.g. fixtures/holidays_cn.json")
        parser.add_argument("--actor", help="username recorded as the calendar's editor (default: none)")

    def handle(self, *args, **options):
        with site_language():
            actor = None
            if options.get("actor"):
                actor = User.objects.filter(username=options["actor"]).first()
                if actor is None:
                    raise CommandError(_("没有用户 %(username)s") % {"username": options["actor"]})
            try:
                result = holidays_load_file(path=Path(options["path"]), actor=actor)
            except CalendarError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(
                _("工作日历：%(days)s 天（新设 %(changed)s 天）")
                % {"days": result.days, "changed": result.changed}
            )
            for period in result.unverified:
                self.stderr.write(_("未核实：%(period)s，请对照国务院办公厅通知确认") % {"period": period})
