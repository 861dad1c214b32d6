"""Loads the Wuhai demo dataset (idempotent) and prints the demo logins.

Each app contributes its part through settings.DEMO_DATA_LOADERS (dotted paths, in
order), so this project-level command imports no app directly."""
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

from wuhai_coverage.core.demo import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users


class Command(BaseCommand):
    help = "Create demo users and a generated, realistic Wuhai dataset; print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=17, help="random seed of the generated data")
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 ≈ 1,500 employers, 6,000 persons")

    def handle(self, *args, **opts):
        with transaction.atomic():
            ensure_demo_users()
        for dotted in settings.DEMO_DATA_LOADERS:
            summary = import_string(dotted)(seed=opts["seed"], scale=opts["scale"])
            if summary:
                self.stdout.write(summary)
        self.stdout.write("")
        self.stdout.write(f"演示账号 / Demo logins (password for all: {DEMO_PASSWORD})")
        for username, role, where, label in DEMO_USERS:
            self.stdout.write(f"  {username:<16} {role:<20} {where or '全市':<10} {label}")
        self.stdout.write("")
        self.stdout.write("Portal: http://127.0.0.1:8000/  ·  API docs: http://127.0.0.1:8000/api/v1/docs/")
