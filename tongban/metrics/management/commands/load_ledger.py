"""``manage.py load_ledger [--file PATH] [--plan NAME]``: load an action plan into the ledger.

Without ``--file``, the county's 2022 plan shipped with the app. A re-run updates the tasks
(matched by plan and number) and never duplicates them.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.metrics import ledger
from tongban.metrics import plan as plans


class Command(BaseCommand):
    help = "Load an action plan's numbered tasks into the reform task ledger (工作任务台账)."

    def add_arguments(self, parser):
        parser.add_argument("--file", help="the plan's text (UTF-8); the 2022 plan by default")
        parser.add_argument("--plan", default=plans.SEED_PLAN, help="the plan's name")

    def handle(self, *args, **options):
        text = None
        if options["file"]:
            try:
                text = Path(options["file"]).read_text(encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"cannot read {options['file']}: {exc}") from exc
        try:
            counts = ledger.load_plan(text, plan=options["plan"], by="command:load_ledger")
        except plans.PlanError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{options['plan']}: created {counts['created']}, updated {counts['updated']}, "
            f"unchanged {counts['unchanged']}"
        )
