"""Run the sandbox SMS service in the foreground (``manage.py serve`` starts it in development)."""

from django.conf import settings

from tongban.core.loopback import SandboxCommand
from tongban.notify.providers.sandbox import Sandbox


class Command(SandboxCommand):
    help = "运行短信沙箱(开发用) / Run the sandbox SMS service for development"
    started = "短信沙箱已启动 / SMS sandbox"

    def default_port(self) -> int:
        return settings.NOTIFY_SANDBOX_PORT

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--receipt-url", default="", help="回执回调地址 / receipt callback URL")

    def build(self, echo, *, receipt_url, **options) -> Sandbox:
        config = settings.NOTIFY_PROVIDERS["sandbox"]
        return Sandbox(config["app_key"], config["app_secret"], receipt_url=receipt_url, echo=echo)
