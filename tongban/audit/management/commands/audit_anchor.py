"""``manage.py audit_anchor``: export the chain heads, to be kept outside the database.

A copy kept off-site lets ``verify_audit --anchors FILE`` notice a chain that someone with
write access to the database rewrote and rehashed from the start.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from tongban.audit import hashing, services
from tongban.core import clock


class Command(BaseCommand):
    help = "导出审计链头(锚点)/ Export the audit chain heads (anchors)"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, help="写入此文件,默认打印 / write to this file (default: print)"
        )

    def handle(self, *args, **options):
        heads = services.anchors()
        document = {"exported_at": hashing.utc_iso(clock.now()), "heads": heads}
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if options["output"]:
            options["output"].write_text(text, encoding="utf-8")
            self.stdout.write(
                f"已导出 {len(heads)} 个链头到 {options['output']} / "
                f"exported {len(heads)} chain heads"
            )
        else:
            self.stdout.write(text, ending="")
