"""Escalate overdue bad-review rectifications now (督办); keep the worker at it."""

from django.core.management.base import BaseCommand

from tongban.reviews import services, tasks


class Command(BaseCommand):
    help = "差评整改逾期督办 / Escalate overdue bad-review rectifications"

    def handle(self, *args, **options):
        found = services.escalate_overdue()
        queued = tasks.ensure_scheduled()
        self.stdout.write(
            f"督办 {found['escalated']} 件,逾期未申诉结案 {found['closed']} 件 / "
            f"escalated {found['escalated']}, closed {found['closed']}"
            + ("(已排定后台定时督办 / periodic sweep queued)" if queued else "")
        )
