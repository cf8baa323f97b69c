"""Book the waybills left unbooked and refresh quiet ones now; keep the sweep scheduled."""

from django.core.management.base import BaseCommand

from tongban.logistics import services, tasks


class Command(BaseCommand):
    help = "重试未下单运单并刷新物流轨迹 / Book unbooked waybills and refresh quiet ones"

    def handle(self, *args, **options):
        found = services.retry_unbooked()
        refreshed = services.refresh_stale()
        scheduled = tasks.ensure_scheduled()
        self.stdout.write(
            f"已下单 {found['booked']},仍待下单 {found['waiting']},刷新轨迹 {refreshed}"
            f"{',已安排定时任务' if scheduled else ''}"
            f" / booked {found['booked']}, waiting {found['waiting']}, refreshed {refreshed}"
        )
