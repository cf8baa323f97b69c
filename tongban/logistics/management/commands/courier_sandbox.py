"""Run the sandbox courier in the foreground (``manage.py serve`` starts it in development)."""

from django.conf import settings

from tongban.core.loopback import SandboxCommand
from tongban.logistics.providers.sandbox import Sandbox


class Command(SandboxCommand):
    help = "运行快递沙箱(开发用) / Run the sandbox courier service for development"
    started = "快递沙箱已启动 / courier sandbox"

    def default_port(self) -> int:
        return settings.LOGISTICS_SANDBOX_PORT

    def build(self, echo, **options) -> Sandbox:
        config = settings.LOGISTICS_PROVIDERS["sandbox"]
        return Sandbox(config["customer_code"], config["app_secret"], echo=echo)
