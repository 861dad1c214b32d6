"""python manage.py run_comparison [--as-of YYYY-MM-DD] [--force]

Runs the nightly comparison in the foreground; progress goes to stderr, and the last line
of stdout is the run summary as one JSON object (comparison.md → Running it). A rule whose
inputs are unchanged since its last execution is not executed again; `--force` executes all."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from enforcement.comparison.engine import RunInProgress, run_comparison


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--as-of 需为 YYYY-MM-DD 格式 / --as-of must be YYYY-MM-DD, got {value!r}"
        ) from None


class Command(BaseCommand):
    help = "Run the comparison of the current snapshots: open, refresh or close tasks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", dest="as_of", help="比对日期 D (YYYY-MM-DD); default: today in Asia/Shanghai"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="execute every rule, even those whose inputs are unchanged since their last execution",
        )

    def handle(self, *args, **options):
        as_of = _date(options["as_of"]) if options.get("as_of") else None

        def progress(p: dict) -> None:
            if p.get("current"):
                self.stderr.write(f"[{p['phase']}] {p['done']}/{p['total']} {p['current']}")

        try:
            summary = run_comparison(
                as_of=as_of, trigger="command", on_progress=progress, force=options["force"]
            )
        except RunInProgress as exc:
            raise CommandError(str(exc)) from None
        for item in summary.skipped:
            self.stderr.write(f"skipped {item['rule']}: {item['reason']}")
        for item in summary.unchanged:
            self.stderr.write(f"unchanged {item['rule']}: {item['batches']}")
        self.stdout.write(json.dumps(summary.as_json(), ensure_ascii=False))
