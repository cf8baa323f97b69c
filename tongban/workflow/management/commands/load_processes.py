"""Store the shipped process templates (instant, standard, parallel, commitment).

Idempotent: a template is stored again (as a new version) only when its file changed. The
demo calls it; ``services.template(key)`` also loads a template on first use.
"""

from django.core.management.base import BaseCommand

from tongban.workflow import services


class Command(BaseCommand):
    help = "加载系统流程模板 / load the shipped BPMN process templates"

    def handle(self, *args, **options):
        for definition in services.load_processes():
            self.stdout.write(f"{definition.key} v{definition.version} {definition.name}")
