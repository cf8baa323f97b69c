"""The demo county's self-service terminal: ZZ-KIOSK-01 in the county center's hall, read by
the simulated card reader (``manage.py card_reader_sandbox``, started by ``make run``)."""

from django.core.management import call_command

from tongban.kiosk.models import KioskTerminal

CODE = "ZZ-KIOSK-01"


def is_loaded() -> bool:
    return KioskTerminal.objects.filter(code=CODE).exists()


def load() -> str:
    call_command("kiosk_terminal", demo=True, stdout=_Quiet())
    return f"自助终端:{CODE}(县政务服务中心大厅,模拟读卡器)"


class _Quiet:
    """Keeps the terminal's key out of the demo loader's output."""

    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass
