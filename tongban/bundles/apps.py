from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BundlesConfig(AppConfig):
    name = "tongban.bundles"
    label = "bundles"
    verbose_name = _("一件事一次办")

    def ready(self):
        from tongban.bundles import handlers

        handlers.connect()
