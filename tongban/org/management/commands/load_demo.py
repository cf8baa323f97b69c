"""``manage.py load_demo``: the demo county, safe to run again (``make setup`` runs it)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tongban.org import demo


class Command(BaseCommand):
    help = "加载周至县演示数据(可重复运行) / Load the Zhouzhi demo county (idempotent)"

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="演示数据已存在时不再刷新 / do nothing when the demo county is already loaded",
        )

    def handle(self, *args, once=False, **options):
        if settings.PRODUCTION:
            raise CommandError("生产环境不得加载演示数据 / no demo data in production")
        if once and demo.is_loaded():
            self.stdout.write("演示数据已存在,跳过 / demo county already loaded")
            return
        summary = demo.load()
        self.stdout.write(self.style.SUCCESS(str(summary)))
