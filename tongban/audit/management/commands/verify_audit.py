"""``manage.py verify_audit``: walk every audit chain and name the first broken record."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.audit import services


class Command(BaseCommand):
    help = "校验审计日志哈希链 / Verify the audit log's hash chains"

    def add_arguments(self, parser):
        parser.add_argument("--partition", type=int, help="只校验这一条链 / only this chain")
        parser.add_argument(
            "--anchors",
            type=Path,
            help="audit_anchor 导出的链头文件 / a file of chain heads exported by audit_anchor",
        )

    def handle(self, *args, **options):
        result = services.verify(options["partition"])
        if options["anchors"]:
            entries = json.loads(options["anchors"].read_text(encoding="utf-8"))["heads"]
            result.breaks.extend(services.check_anchors(entries))
        self.stdout.write(
            f"审计链 / chains: {result.chains}  "
            f"已校验记录 / records checked: {result.records}  "
            f"用时 / time: {result.seconds:.2f} s"
        )
        if result.ok:
            self.stdout.write(self.style.SUCCESS("审计链完好 / all chains intact"))
            return
        for broken in result.breaks:
            self.stderr.write(self._describe(broken))
        first = result.breaks[0]
        raise CommandError(
            f"审计链已断裂 / audit chain broken: {len(result.breaks)} chain(s); "
            f"first: {self._describe(first)}"
        )

    @staticmethod
    def _describe(broken) -> str:
        record = broken.record_id if broken.record_id is not None else "已删除/deleted"
        return (
            f"链 partition {broken.partition} 序号 seq {broken.seq} 记录 record {record}: "
            f"{broken.message} / {broken.message_en}"
        )
