import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wuhai_coverage.core.models import Department, Role
from wuhai_coverage.core.services import UserError, user_create


class Command(BaseCommand):
    help = (
        "Create a portal user with a role and its jurisdiction (portal.md). The password must pass "
        "Django's validators (12 characters at least, not common, not all digits, not like the username); "
        "give it with --password-stdin to keep it out of the process list and shell history."
    )

    stealth_options = ("stdin",)  # call_command(..., stdin=io.StringIO("…")) in tests

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--district", help="6-digit district code, for district_caseworker")
        parser.add_argument("--street", help="9-digit street code, for street_staff")
        parser.add_argument(
            "--department", default="", choices=[""] + Department.values, help="for partner accounts"
        )
        password = parser.add_mutually_exclusive_group()
        password.add_argument("--password", help="omit for API-only accounts (no password login)")
        password.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input",
        )
        parser.add_argument("--name", default="", help="display name")

    def handle(self, *args, **opts):
        password = opts["password"]
        if opts["password_stdin"]:
            stdin = opts.get("stdin") or sys.stdin
            password = stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError(_("--password-stdin：标准输入中没有密码"))
        try:
            user = user_create(
                username=opts["username"],
                role=opts["role"],
                district_code=opts["district"],
                street_code=opts["street"],
                department=opts["department"],
                password=password,
                display_name=opts["name"],
            )
        except UserError as exc:
            raise CommandError(str(exc)) from None
        where = user.street_id or user.district_id or user.department or "city"
        self.stdout.write(f"created {user.username} ({user.role}, {where})")
