from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "tongban.identity"
    label = "identity"
    verbose_name = _("统一身份认证")

    def ready(self):
        from tongban.identity import access, signin  # noqa: F401  (signin: the signals)
        from tongban.identity.oidc import checks  # noqa: F401  (production refusals)

        access.load_rules()
