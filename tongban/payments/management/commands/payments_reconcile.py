"""Reconcile a channel's day against its statement: ``--date YYYY-MM-DD [--provider NAME]``."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tongban.errors import TongbanError
from tongban.payments import reconciliation
from tongban.payments.providers.base import ChannelError


class Command(BaseCommand):
    help = "对账:按渠道对账单核对某日的缴费和退款 / Reconcile a day against the statement"

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", default=None, help="对账日期 YYYY-MM-DD(默认昨天)/ day (yesterday)"
        )
        parser.add_argument("--provider", default=None, help="支付渠道(默认当前渠道)/ channel name")

    def handle(self, *args, **options):
        provider = options["provider"] or settings.PAYMENTS_PROVIDER
        if provider not in settings.PAYMENTS_PROVIDERS:
            raise CommandError(f"未知渠道 / unknown provider: {provider}")
        try:
            date = (
                datetime.date.fromisoformat(options["date"])
                if options["date"]
                else reconciliation.yesterday()
            )
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD") from exc
        try:
            run = reconciliation.reconcile(provider, date, by="system:payments_reconcile")
        except ChannelError as exc:
            raise CommandError(f"渠道不可用 / channel unavailable: {exc}") from exc
        except TongbanError as exc:
            raise CommandError(f"{exc.message} {exc.fields or ''}") from exc
        open_items = run.discrepancies.count()
        self.stdout.write(
            f"{provider} {date}: {run.get_status_display()} / {run.status};"
            f"平账 {run.matched_count} 笔,平台 {run.platform_count} 笔,"
            f"渠道 {run.channel_count} 笔,差错 {open_items} 笔 / "
            f"matched {run.matched_count}, discrepancies {open_items}"
        )
        if open_items:
            raise SystemExit(1)
