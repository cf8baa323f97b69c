"""Reconciliation: one channel's day of 10,000 paid orders (and some refunds) against its
statement — seconds and queries.

    .venv/bin/python -m bench.payments_finance_bench [--orders 10000] [--refunds 200]

Cases and orders are bulk-inserted on a throwaway database (``DATABASE_URL`` with the test
prefix; in-memory SQLite by default, set it to PostgreSQL for the production figure). The
statement comes from an in-process channel (no HTTP: the download is the channel's time,
not ours) with seeded differences: a tampered amount, a missing line, an unknown line. The
run is timed twice (a first run, then a re-run of the same day). Prints figures, asserts
nothing.
"""

import argparse
import datetime
import time
from zoneinfo import ZoneInfo

from bench.support import throwaway_database

BEIJING = ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 11, 20)
NAME = "bench_channel"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--refunds", type=int, default=200)
    args = parser.parse_args()
    with throwaway_database():
        import logging

        logging.disable(logging.WARNING)
        from django.conf import settings

        settings.PAYMENTS_PROVIDERS = {**settings.PAYMENTS_PROVIDERS, NAME: {"type": NAME}}
        lines = prepare(args.orders, args.refunds)
        _register(lines)
        measure(args.orders, args.refunds)


def prepare(count: int, refund_count: int) -> list:
    from tongban.cases.models import Case, Status
    from tongban.cases.tests.factories import applicant_person, form_item
    from tongban.org.models import StaffMembership
    from tongban.org.tests.factories import staff_with_role
    from tongban.payments.models import PaymentOrder, Refund
    from tongban.payments.providers.base import StatementLine

    item = form_item()
    applicant = applicant_person()
    clerk = staff_with_role(StaffMembership.Role.CLERK, department=item.department)
    started = time.perf_counter()
    Case.objects.bulk_create(
        (
            Case(
                number=f"610124{DAY:%Y%m%d}8{n:08d}",
                item=item,
                guide_id=item.current_guide_id,
                applicant=applicant,
                applicant_name="王小明",
                applicant_id_number=str(applicant.id_number),
                channel="web",
                status=Status.ACCEPTED,
                department_id=item.department_id,
                form_data={"purpose": f"基准测试 {n}"},
            )
            for n in range(count)
        ),
        batch_size=2000,
    )
    cases = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    base = datetime.datetime.combine(DAY, datetime.time(8, 0), tzinfo=BEIJING)
    PaymentOrder.objects.bulk_create(
        (
            PaymentOrder(
                number=f"JF{DAY:%Y%m%d}{n:012d}",
                case_id=case_id,
                department_id=item.department_id,
                payer=applicant,
                payer_name="王小明",
                amount=1000 + n % 5000,
                provider=NAME,
                channel_order_id=f"BX{n:012d}",
                status=PaymentOrder.Status.PAID,
                paid_amount=1000 + n % 5000,
                paid_at=base + datetime.timedelta(seconds=3 * n),
            )
            for n, case_id in enumerate(cases)
        ),
        batch_size=2000,
    )
    orders = list(PaymentOrder.objects.order_by("pk"))
    refunded = base + datetime.timedelta(hours=12)
    Refund.objects.bulk_create(
        Refund(
            number=f"TF{DAY:%Y%m%d}{n:012d}",
            order=order,
            amount=500,
            reason="基准测试",
            status=Refund.Status.REFUNDED,
            requested_by=clerk,
            completed_at=refunded,
        )
        for n, order in enumerate(orders[:refund_count])
    )
    print(
        f"{count} cases and paid orders, {refund_count} refunds inserted in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    lines = [
        StatementLine(o.number, o.channel_order_id, "payment", o.paid_amount, o.paid_at)
        for o in orders
    ]
    lines += [
        StatementLine(
            r.order.number, r.order.channel_order_id, "refund", r.amount, refunded, r.number
        )
        for r in Refund.objects.select_related("order")
    ]
    # Seeded differences: a tampered amount, a line the channel lost, one it alone has.
    first = lines[0]
    lines[0] = StatementLine(first.number, first.channel_order_id, "payment", 1, first.at)
    del lines[1]
    lines.append(StatementLine("JFUNKNOWN0000001", "BXUNKNOWN", "payment", 700, base))
    return lines


def _register(lines) -> None:
    from tongban.payments.providers.base import Provider
    from tongban.payments.providers.registry import register

    text = "\n".join(f"{x.kind},{x.number},{x.refund_number},{x.amount}" for x in lines)

    @register(NAME)
    class BenchChannel(Provider):
        def statement(self, date):
            return text, lines


def measure(count: int, refund_count: int) -> None:
    import time_machine
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tongban.payments import reconciliation

    next_morning = datetime.datetime.combine(
        DAY + datetime.timedelta(days=1), datetime.time(2), tzinfo=BEIJING
    )
    with time_machine.travel(next_morning, tick=True):
        for label in ("first run", "re-run"):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                run = reconciliation.reconcile(NAME, DAY, by="system:bench")
                seconds = time.perf_counter() - started
            print(
                f"reconcile {count} payments + {refund_count} refunds ({label}): "
                f"{seconds:6.2f} s, {len(queries)} queries; "
                f"matched {run.matched_count}, discrepancies {run.discrepancies.count()}",
                flush=True,
            )


if __name__ == "__main__":
    main()
