"""System checks: production must not send SMS to the sandbox or to an unconfigured gateway."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility)
def sms_gateway_configured(app_configs=None, **kwargs):
    if not settings.PRODUCTION:
        return []
    name = settings.NOTIFY_CHANNEL_PROVIDERS["sms"]
    options = settings.NOTIFY_PROVIDERS[name]
    if options.get("type") == "sandbox":
        return [
            checks.Error(
                "生产环境不能使用短信沙箱 / the SMS sandbox in production",
                hint="NOTIFY_SMS_PROVIDER=sms_http",
                id="notify.E002",
            )
        ]
    if options.get("type") == "sms_http" and not (options.get("url") and options.get("app_secret")):
        return [
            checks.Error(
                "短信网关未配置 / the SMS gateway is not configured",
                hint="NOTIFY_SMS_URL, NOTIFY_SMS_APP_SECRET",
                id="notify.E001",
            )
        ]
    return []
