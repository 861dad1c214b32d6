from django.core.management.base import BaseCommand, CommandError

from wuhai_coverage.core.models import Department, Role
from wuhai_coverage.core.services import UserError, user_create


class Command(BaseCommand):
    help = "Create a portal user with a role and its jurisdiction (portal.md)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--district", help="6-digit district code, for district_caseworker")
        parser.add_argument("--street", help="9-digit street code, for street_staff")
        parser.add_argument("--department", default="", choices=[""] + Department.values,
                            help="for partner accounts")
        parser.add_argument("--password", help="omit for API-only accounts (no password login)")
        parser.add_argument("--name", default="", help="display name")

    def handle(self, *args, **opts):
        try:
            user = user_create(
                username=opts["username"], role=opts["role"], district_code=opts["district"],
                street_code=opts["street"], department=opts["department"], password=opts["password"],
                display_name=opts["name"],
            )
        except UserError as exc:
            raise CommandError(str(exc)) from None
        where = user.street_id or user.district_id or user.department or "city"
        self.stdout.write(f"created {user.username} ({user.role}, {where})")
