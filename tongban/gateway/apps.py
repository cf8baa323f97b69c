from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GatewayConfig(AppConfig):
    name = "tongban.gateway"
    label = "gateway"
    verbose_name = _("接口管理")

    def ready(self):
        from tongban.gateway import checks  # noqa: F401  (registers the system check)
