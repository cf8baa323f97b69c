"""Run the simulated ID-card reader in the foreground (``manage.py serve`` starts it in
development)."""

from django.conf import settings

from tongban.core.loopback import SandboxCommand
from tongban.kiosk.providers.sandbox import Sandbox


class Command(SandboxCommand):
    help = "运行身份证读卡器沙箱(开发用) / Run the simulated ID-card reader for development"
    started = "读卡器沙箱已启动 / card reader sandbox"

    def default_port(self) -> int:
        return settings.KIOSK_SANDBOX_PORT

    def build(self, echo, **options) -> Sandbox:
        return Sandbox(people=_demo_people(), echo=echo)


def _demo_people() -> list[tuple[str, str]]:
    """The demo persons with an account and an ID number (tongban.identity.demo)."""
    from tongban.identity.demo import DEMO_PERSONS
    from tongban.identity.models import User

    users = User.objects.filter(username__in=[row[0] for row in DEMO_PERSONS], is_demo=True)
    return [
        (u.get_full_name(), str(u.id_number)) for u in users.order_by("username") if u.id_number
    ]
