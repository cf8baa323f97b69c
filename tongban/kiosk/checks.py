"""System checks: production must not read ID cards through the simulated reader."""

from django.conf import settings
from django.core import checks

from tongban.core.plugins import production_errors


@checks.register(checks.Tags.compatibility)
def reader_configured(app_configs=None, **kwargs):
    # The reader's address and key are each terminal's own (KioskTerminal): nothing required.
    return production_errors(
        "kiosk",
        ("读卡器沙箱", "读卡器接口"),
        settings.KIOSK_READER_PROVIDERS[settings.KIOSK_READER_PROVIDER],
        required=(),
        hint="KIOSK_READER_PROVIDER=reader_http",
    )
