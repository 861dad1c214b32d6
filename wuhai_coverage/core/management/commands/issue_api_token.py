from django.core.management.base import BaseCommand, CommandError

from wuhai_coverage.core.services import UserError, api_token_issue


class Command(BaseCommand):
    help = (
        "Issue a NEW API key for the user and print it alone on stdout (it is stored hashed: this is the "
        "only time it is shown). Earlier keys keep working until they expire or are revoked; --rotate "
        "revokes them."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="revoke the user's earlier keys")
        parser.add_argument(
            "--days", type=int, default=None, help="days of validity (default: settings.API_TOKEN_DAYS, 365)"
        )

    def handle(self, *args, **opts):
        try:
            key = api_token_issue(username=opts["username"], rotate=opts["rotate"], days=opts["days"])
        except UserError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(key)
