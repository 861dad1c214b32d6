from django.core.management.base import BaseCommand, CommandError

from wuhai_coverage.core.services import UserError, api_token_issue


class Command(BaseCommand):
    help = "Print the user's API token key alone on stdout (creates it on first use)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="revoke the old key and issue a new one")

    def handle(self, *args, **opts):
        try:
            key = api_token_issue(username=opts["username"], rotate=opts["rotate"])
        except UserError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(key)
