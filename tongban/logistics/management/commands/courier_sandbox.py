"""Run the sandbox courier in the foreground (``manage.py serve`` starts it in development)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from tongban.logistics.providers.sandbox import Sandbox


class Command(BaseCommand):
    help = "运行快递沙箱(开发用) / Run the sandbox courier service for development"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.LOGISTICS_SANDBOX_PORT)

    def handle(self, *args, host, port, **options):
        config = settings.LOGISTICS_PROVIDERS["sandbox"]

        def echo(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        sandbox = Sandbox(config["customer_code"], config["app_secret"], echo=echo)
        server = sandbox.serve(host, port)
        echo(f"快递沙箱已启动 / courier sandbox on http://{host}:{port}/")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
