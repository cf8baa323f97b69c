from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "tongban.payments"
    label = "payments"
    verbose_name = _("统一支付")

    def ready(self):
        from tongban.workflow import systems

        systems.register("payments", "缴费")
