from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "tongban.metrics"
    label = "metrics"
    verbose_name = _("评估与台账")

    def ready(self):
        from tongban.core.signals import worker_started
        from tongban.metrics import ledger, tasks

        worker_started.connect(ledger.OVERDUE.on_worker_started, dispatch_uid="metrics.ledger")
        worker_started.connect(tasks.on_worker_started, dispatch_uid="metrics.snapshot")
