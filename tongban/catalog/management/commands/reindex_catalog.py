"""``manage.py reindex_catalog``: rebuild the catalog's search index."""

import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "重建事项检索索引 / Rebuild the catalog search index"

    def add_arguments(self, parser):
        parser.add_argument(
            "codes",
            nargs="*",
            metavar="实施编码",
            help="只重建这些事项 / only these items (implementation codes); default: all",
        )

    def handle(self, *args, codes=(), **options):
        from tongban.catalog.models import ServiceItem
        from tongban.catalog.search import reindex

        started = time.perf_counter()
        if codes:
            found = dict(
                ServiceItem.objects.filter(implementation_code__in=codes).values_list(
                    "implementation_code", "pk"
                )
            )
            missing = sorted(set(codes) - set(found))
            if missing:
                raise CommandError(f"没有这些事项 / no such items: {', '.join(missing)}")
            written = reindex(list(found.values()))
        else:
            written = reindex()
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"已索引 {written} 个事项,用时 {seconds:.1f} 秒 / "
                f"{written} items indexed in {seconds:.1f} s"
            )
        )
