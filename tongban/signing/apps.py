from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningConfig(AppConfig):
    name = "tongban.signing"
    label = "signing"
    verbose_name = _("电子印章与签名")

    def ready(self):
        from tongban.signing import checks  # noqa: F401
