"""System checks: production must not bill through the sandbox or an unconfigured channel."""

from django.conf import settings
from django.core import checks

from tongban.core.plugins import production_errors


@checks.register(checks.Tags.compatibility)
def channel_configured(app_configs=None, **kwargs):
    return production_errors(
        "payments",
        ("支付沙箱", "支付渠道"),
        settings.PAYMENTS_PROVIDERS[settings.PAYMENTS_PROVIDER],
        required=("url", "merchant_id", "app_secret"),
        hint="PAYMENTS_PROVIDER=channel_http, PAYMENTS_CHANNEL_URL, PAYMENTS_MERCHANT_ID, "
        "PAYMENTS_CHANNEL_SECRET",
    )
