"""Loads the Wuhai demo dataset (idempotent) and prints the demo logins.

Refuses a database that is not a demo database — one with users but without the marker a
previous demo load wrote — unless told --i-know-this-is-not-production; even then an
existing user is never given the demo password. Each app contributes its part through
settings.DEMO_DATA_LOADERS (dotted paths, in order), so this project-level command
imports no app directly."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuhai_coverage.core.demo import (
    DEMO_PASSWORD,
    DEMO_USERS,
    STREET_USERNAME_PREFIX,
    ensure_demo_users,
    is_demo_database,
    mark_demo_database,
)
from wuhai_coverage.demodata.models import DemoMarker

REFUSAL = gettext_lazy(
    "拒绝载入演示数据：该数据库已有用户，但不是演示数据库（没有演示数据标记）。"
    "演示数据会使用公开的演示密码。如确需在此数据库载入，请加 --i-know-this-is-not-production"
    "（已有用户不会被改动）。"
)


class Command(BaseCommand):
    help = (
        "Create demo users and a generated, realistic Wuhai dataset; print the logins (demo databases only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=17, help="random seed of the generated data")
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 ≈ 1,500 employers, 6,000 persons")
        parser.add_argument(
            "--i-know-this-is-not-production",
            dest="force",
            action="store_true",
            help="load into a database that has users but no demo marker",
        )

    def handle(self, *args, **opts):
        with transaction.atomic():
            if not is_demo_database() and not opts["force"]:
                raise CommandError(str(REFUSAL))
            marker = DemoMarker.objects.select_for_update().filter(pk=1).first()
            users, kept = ensure_demo_users(demo_user_ids=set(marker.user_ids) if marker else set())
            mark_demo_database(users)
        for dotted in settings.DEMO_DATA_LOADERS:
            summary = import_string(dotted)(seed=opts["seed"], scale=opts["scale"])
            if summary:
                self.stdout.write(summary)
        self.stdout.write("")
        self.stdout.write(_("演示账号（密码均为 %(password)s）") % {"password": DEMO_PASSWORD})
        for username, role, where, label in DEMO_USERS:
            if username not in kept:
                self.stdout.write(f"  {username:<16} {role:<20} {where or _('全市'):<10} {label}")
        streets = [u for u in users if u.username.startswith(STREET_USERNAME_PREFIX)]
        if streets:  # one line for the rest of the streets, not one per street
            example = streets[0]
            self.stdout.write(
                f"  {STREET_USERNAME_PREFIX + _('<街道代码>'):<16} {'street_staff':<20} "
                + _("其余每个街道各一个账号（共 %(n)d 个），例如 %(example)s（%(label)s）")
                % {"n": len(streets), "example": example.username, "label": example.display_name}
            )
        for username in kept:
            self.stdout.write(f"  {username:<16} " + _("已有用户，未改动"))
        self.stdout.write("")
        self.stdout.write(
            _("门户：%(portal)s  ·  API 文档：%(docs)s")
            % {"portal": "http://127.0.0.1:8000/", "docs": "http://127.0.0.1:8000/api/v1/docs/"}
        )
