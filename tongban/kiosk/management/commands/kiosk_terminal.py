"""Add or list self-service terminals.

    manage.py kiosk_terminal                      # list
    manage.py kiosk_terminal --demo       # ZZ-KIOSK-01 at the county center (sandbox reader)
    manage.py kiosk_terminal --code ZZ-KIOSK-02 --name "哑柏镇自助终端" --center <center id>
        [--reader-url http://10.0.0.21:8030]

A new terminal's shared key (for its reader service) is printed once.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tongban.audit import services as audit
from tongban.kiosk.models import KioskTerminal
from tongban.org.models import ServiceCenter

DEMO = ("ZZ-KIOSK-01", "县政务服务中心大厅自助终端")


class Command(BaseCommand):
    help = "添加或列出自助终端 / Add or list self-service terminals"

    def add_arguments(self, parser):
        parser.add_argument("--code")
        parser.add_argument("--name")
        parser.add_argument("--center", type=int, help="服务中心 id")
        parser.add_argument("--reader-url", default="")
        parser.add_argument("--demo", action="store_true")

    def handle(self, *args, code, name, center, reader_url, demo, **options):
        if demo:
            found = ServiceCenter.objects.filter(level=ServiceCenter.Level.COUNTY).first()
            if found is None:
                raise CommandError("没有县级政务服务中心,请先加载演示数据 / load the demo first")
            code, name, center = DEMO[0], DEMO[1], found.pk
        if code:
            if not name or not center:
                raise CommandError("请同时给出 --name 和 --center / --name and --center needed")
            center_obj = ServiceCenter.objects.filter(pk=center).first()
            if center_obj is None:
                raise CommandError(f"服务中心 {center} 不存在 / no such center")
            with transaction.atomic():
                terminal, made = KioskTerminal.objects.get_or_create(
                    code=code,
                    defaults={"name": name, "center": center_obj, "reader_url": reader_url},
                )
                if made:
                    audit.record("manage.py", "kiosk.add_terminal", terminal)
            if made:
                self.stdout.write(
                    f"已添加自助终端 {terminal};读卡器签名密钥:{terminal.reader_secret}"
                )
            else:
                self.stdout.write(f"自助终端 {terminal} 已存在 / already there")
        for terminal in KioskTerminal.objects.select_related("center"):
            state = "启用" if terminal.is_active else "停用"
            self.stdout.write(f"{terminal.code}\t{terminal.name}\t{terminal.center.name}\t{state}")
