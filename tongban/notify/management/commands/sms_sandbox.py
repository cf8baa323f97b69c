"""Run the sandbox SMS service in the foreground (``manage.py serve`` starts it in development)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from tongban.notify.providers.sandbox import Sandbox


class Command(BaseCommand):
    help = "运行短信沙箱(开发用) / Run the sandbox SMS service for development"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.NOTIFY_SANDBOX_PORT)
        parser.add_argument("--receipt-url", default="", help="回执回调地址 / receipt callback URL")

    def handle(self, *args, host, port, receipt_url, **options):
        config = settings.NOTIFY_PROVIDERS["sandbox"]

        def echo(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        sandbox = Sandbox(
            config["app_key"], config["app_secret"], receipt_url=receipt_url, echo=echo
        )
        server = sandbox.serve(host, port)
        echo(f"短信沙箱已启动 / SMS sandbox on http://{host}:{port}/")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
