from django.core.management.base import BaseCommand, CommandError

from wuhai_coverage.core.models import User
from wuhai_coverage.core.services import api_tokens_revoke


class Command(BaseCommand):
    help = "Revoke the user's API keys: all active ones, or the one whose first characters are --prefix."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--prefix", help="the key's first 8 characters, as the token page shows them")

    def handle(self, *args, **opts):
        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"no user {opts['username']!r}")
        n = api_tokens_revoke(user=user, prefix=opts["prefix"])
        if opts["prefix"] and not n:
            raise CommandError(f"{user.username} has no active key starting {opts['prefix']!r}")
        self.stdout.write(f"revoked {n} key(s) of {user.username}")
