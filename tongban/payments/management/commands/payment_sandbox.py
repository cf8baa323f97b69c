"""Run the sandbox payment service in the foreground (``manage.py serve`` starts it in
development)."""

from django.conf import settings

from tongban.core.loopback import SandboxCommand
from tongban.payments.providers.sandbox import Sandbox


class Command(SandboxCommand):
    help = "运行统一支付沙箱(开发用) / Run the sandbox payment service for development"
    started = "统一支付沙箱已启动 / payment sandbox"

    def default_port(self) -> int:
        return settings.PAYMENTS_SANDBOX_PORT

    def build(self, echo, **options) -> Sandbox:
        config = settings.PAYMENTS_PROVIDERS["sandbox"]
        return Sandbox(config["merchant_id"], config["app_secret"], echo=echo)
