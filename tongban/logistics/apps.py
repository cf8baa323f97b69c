from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "tongban.logistics"
    label = "logistics"
    verbose_name = _("统一物流")

    def ready(self):
        from tongban.core.signals import worker_started
        from tongban.logistics import (
            checks,  # noqa: F401  (registers the system checks)
            handlers,
            tasks,
        )

        handlers.connect()
        worker_started.connect(tasks.on_worker_started, dispatch_uid="logistics.sweep")
