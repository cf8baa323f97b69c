from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "tongban.catalog"
    label = "catalog"
    verbose_name = _("政务服务事项")

    def ready(self):
        from tongban.catalog.search import receivers  # noqa: F401  (connects the index)
