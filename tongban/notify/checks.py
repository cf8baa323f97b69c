"""System checks: production must not send SMS to the sandbox or to an unconfigured gateway."""

from django.conf import settings
from django.core import checks

from tongban.core.plugins import production_errors


@checks.register(checks.Tags.compatibility)
def sms_gateway_configured(app_configs=None, **kwargs):
    options = settings.NOTIFY_PROVIDERS[settings.NOTIFY_CHANNEL_PROVIDERS["sms"]]
    if options.get("type") not in ("sandbox", "sms_http"):
        return []
    return production_errors(
        "notify",
        ("短信沙箱", "短信网关"),
        options,
        required=("url", "app_secret"),
        hint="NOTIFY_SMS_PROVIDER=sms_http, NOTIFY_SMS_URL, NOTIFY_SMS_APP_SECRET",
    )
