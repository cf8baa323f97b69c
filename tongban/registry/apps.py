from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "tongban.registry"
    label = "registry"
    verbose_name = _("基础库(人口库、法人库)")
