from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "tongban.cases"
    label = "cases"
    verbose_name = _("办件")

    def ready(self):
        from tongban.cases import handlers, tasks
        from tongban.core.signals import worker_started

        handlers.connect()
        worker_started.connect(tasks.on_worker_started, dispatch_uid="cases.supervise")
