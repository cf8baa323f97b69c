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
        from tongban.cases.signals import case_concluded

        worker_started.connect(tasks.on_worker_started, dispatch_uid="cases.supervise")
        case_concluded.connect(tasks.on_concluded, dispatch_uid="cases.seal_result")
