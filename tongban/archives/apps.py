from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    name = "tongban.archives"
    label = "archives"
    verbose_name = _("电子档案")

    def ready(self):
        from tongban.archives import handlers, tasks
        from tongban.core.signals import worker_started

        handlers.connect()
        worker_started.connect(tasks.on_worker_started, dispatch_uid="archives.fixity")
