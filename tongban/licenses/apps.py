from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensesConfig(AppConfig):
    name = "tongban.licenses"
    label = "licenses"
    verbose_name = _("电子证照")

    def ready(self):
        from tongban.licenses import handlers

        handlers.connect()
