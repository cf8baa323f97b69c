"""Run the supervision sweep (效能监察) once, and make sure the worker keeps running it."""

from django.core.management.base import BaseCommand

from tongban.cases import supervision, tasks


class Command(BaseCommand):
    help = "效能监察:标记黄牌、红牌办件并通知 / Mark yellow and red cases and notify"

    def handle(self, *args, **options):
        raised = supervision.sweep()
        queued = tasks.ensure_scheduled()
        self.stdout.write(
            f"黄牌 {raised['yellow']} 件,红牌 {raised['red']} 件 / "
            f"{raised['yellow']} yellow, {raised['red']} red"
            + ("(已排定后台定时监察 / periodic sweep queued)" if queued else "")
        )
