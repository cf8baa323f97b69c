from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "tongban.payments"
    label = "payments"
    verbose_name = _("统一支付")

    def ready(self):
        from tongban.core.signals import worker_started
        from tongban.payments import (
            checks,  # noqa: F401  (registers the system checks)
            finance_tasks,
            handlers,
            tasks,
        )
        from tongban.workflow import systems

        systems.register("payments", "缴费")
        handlers.connect()
        worker_started.connect(tasks.on_worker_started, dispatch_uid="payments.settle")
        finance_tasks.connect()
