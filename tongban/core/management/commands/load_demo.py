"""``manage.py load_demo``: the demo county, safe to run again (``make setup`` runs it).

Each app with demo data offers ``demo.load()`` and ``demo.is_loaded()``; they run in
dependency order (the organization before the catalog that names its departments).
"""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DEMO_MODULES = (
    "tongban.org.demo",
    "tongban.identity.demo",
    "tongban.catalog.demo",
    "tongban.registry.demo",
    "tongban.workflow.demo",
    "tongban.licenses.demo",
    "tongban.bundles.demo",
    "tongban.metrics.demo",
    "tongban.kiosk.demo",
)


class Command(BaseCommand):
    help = "加载周至县演示数据(可重复运行) / Load the Zhouzhi demo county (idempotent)"

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="某部分演示数据已存在时不再刷新 / skip the parts already loaded",
        )

    def handle(self, *args, once=False, **options):
        if settings.PRODUCTION:
            raise CommandError("生产环境不得加载演示数据 / no demo data in production")
        for name in DEMO_MODULES:
            demo = import_module(name)
            if once and demo.is_loaded():
                self.stdout.write(f"{name}: 演示数据已存在,跳过 / already loaded")
                continue
            self.stdout.write(self.style.SUCCESS(str(demo.load())))
