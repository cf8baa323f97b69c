from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KioskConfig(AppConfig):
    name = "tongban.kiosk"
    label = "kiosk"
    verbose_name = _("自助终端")

    def ready(self):
        from tongban.kiosk import checks  # noqa: F401  (registers the system checks)
