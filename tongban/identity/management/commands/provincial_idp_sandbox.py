"""Run the sandbox of the provincial identity platform in the foreground (``manage.py serve``
starts it in development when PROVINCIAL_OIDC_ISSUER is the sandbox URL)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from tongban.identity.oidc.sandbox import DemoPerson, ProvincialSandbox

DEMO_PERSONS = 6


def demo_persons() -> list[DemoPerson]:
    """A few persons of the population base, and one whose name does not match it."""
    from tongban.registry.models import Person

    try:
        found = list(Person.objects.order_by("pk")[:DEMO_PERSONS])
    except DatabaseError:
        found = []
    persons = [
        DemoPerson(f"sx-{person.pk:06d}", str(person.name), str(person.id_number))
        for person in found
    ]
    if found:
        first = found[0]
        persons.append(
            DemoPerson(
                "sx-mismatch",
                f"{str(first.name)[:1]}某某",
                str(first.id_number),
                note="(姓名与人口库不一致,用于演示拒绝登录)",
            )
        )
    return persons


def sandbox(echo=None) -> ProvincialSandbox:
    return ProvincialSandbox(
        settings.PROVINCIAL_OIDC_CLIENT_ID,
        settings.PROVINCIAL_OIDC_CLIENT_SECRET,
        demo_persons(),
        echo=echo,
    )


def start_in_background() -> str:
    """Serve the sandbox from a daemon thread (``manage.py serve``); returns what to print."""
    port = settings.PROVINCIAL_SANDBOX_PORT
    try:
        started = sandbox().start("127.0.0.1", port)
    except OSError:
        return f"省统一身份认证沙箱端口 {port} 已被占用,未启动 / provincial sandbox port in use"
    return f"省统一身份认证沙箱 / provincial OIDC sandbox: {started.url}/"


class Command(BaseCommand):
    help = "运行陕西省统一身份认证平台沙箱(开发用) / Run the provincial OIDC sandbox"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.PROVINCIAL_SANDBOX_PORT)

    def handle(self, *args, host, port, **options):
        def echo(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        provider = sandbox(echo)
        try:
            server = provider.serve(host, port)
        except OSError as exc:
            raise CommandError(
                f"端口 {port} 已被占用 / provincial sandbox port in use (PROVINCIAL_SANDBOX_PORT)"
            ) from exc
        echo(f"省统一身份认证沙箱已启动 / provincial OIDC sandbox on {provider.url}/")
        echo(f"演示人员 {len(provider.persons)} 名 / demo persons: {len(provider.persons)}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
