from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "tongban.portal"
    label = "portal"
    verbose_name = _("门户")

    def ready(self):
        from tongban.core.signals import worker_started
        from tongban.portal import tasks

        worker_started.connect(tasks.on_worker_started, dispatch_uid="portal.prune_speech")
