"""Run the sandbox payment service in the foreground (``manage.py serve`` starts it in
development)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from tongban.payments.providers.sandbox import Sandbox


class Command(BaseCommand):
    help = "运行统一支付沙箱(开发用) / Run the sandbox payment service for development"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.PAYMENTS_SANDBOX_PORT)

    def handle(self, *args, host, port, **options):
        config = settings.PAYMENTS_PROVIDERS["sandbox"]

        def echo(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        sandbox = Sandbox(config["merchant_id"], config["app_secret"], echo=echo)
        server = sandbox.serve(host, port)
        echo(f"统一支付沙箱已启动 / payment sandbox on http://{host}:{port}/")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
