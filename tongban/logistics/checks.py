"""System checks: production must not post through the sandbox or an unconfigured courier."""

from django.conf import settings
from django.core import checks

from tongban.core.plugins import production_errors


@checks.register(checks.Tags.compatibility)
def courier_configured(app_configs=None, **kwargs):
    return production_errors(
        "logistics",
        ("快递沙箱", "快递接口"),
        settings.LOGISTICS_PROVIDERS[settings.LOGISTICS_PROVIDER],
        required=("url", "customer_code", "app_secret"),
        hint="LOGISTICS_PROVIDER=courier_http, LOGISTICS_COURIER_URL, LOGISTICS_CUSTOMER_CODE, "
        "LOGISTICS_COURIER_SECRET",
    )
