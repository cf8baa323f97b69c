from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "tongban.logistics"
    label = "logistics"
    verbose_name = _("统一物流")
