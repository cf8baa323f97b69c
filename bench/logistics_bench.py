"""Logistics: tracking pushes applied per second, and the waybill list (API and desk page).

    .venv/bin/python -m bench.logistics_bench [--waybills 300] [--list 2000] [--requests 200]

1. Pushes: ``--waybills`` booked waybills of one posted case; for each, four signed
   pushes (揽收, 运输中 twice, 派送中) through the callback view (Django's test client: the
   signature check, the locked update, the tracking event, the audit record and, for 揽收,
   the case's 寄出 event and the applicant's notice), then every push again (duplicates).
2. Lists: ``--list`` waybills in one department; a clerk asks for the first page of
   ``GET /api/v1/logistics/waybills`` and of ``/logistics/desk/`` ``--requests`` times each.

On a throwaway database (in-memory SQLite by default). Prints figures, asserts nothing.
"""

import argparse
import time

from bench.support import latencies, rate, throwaway_database

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
STEPS = ("PICKED_UP", "IN_TRANSIT", "IN_TRANSIT", "OUT_FOR_DELIVERY")


def waybills_of(case, count: int, prefix: str):
    from tongban.logistics.models import Waybill

    rows = [
        Waybill(
            reference=f"{prefix}{n:06d}",
            number=f"{prefix}{n:010d}",
            provider="sandbox",
            kind="delivery",
            case=case,
            department_id=case.department_id,
            sender_name="周至县政务服务中心",
            sender_phone="029-87151234",
            sender_address="陕西省西安市周至县二曲街道政务服务中心",
            recipient_name="王小明",
            recipient_phone="13912345678",
            recipient_address="陕西省西安市周至县二曲街道文昌路88号",
            status="booked",
            cost_fen=1000,
            paid_by="county",
        )
        for n in range(count)
    ]
    return Waybill.objects.bulk_create(rows, batch_size=500)


def pushes(count: int) -> None:
    from django.test import Client
    from django.urls import reverse

    from tongban.logistics.models import CourierCallback
    from tongban.logistics.tests.factories import posted_case, push, signed_headers

    case = posted_case()
    waybills = waybills_of(case, count, "PB")
    url = reverse("logistics:notify", kwargs={"provider": "sandbox"})
    bodies = [
        push(waybill, sequence, code)
        for waybill in waybills
        for sequence, code in enumerate(STEPS, 1)
    ]
    client = Client()

    def send_all():
        for body in bodies:
            client.post(url, body, content_type="application/json", **signed_headers(url, body))

    rate("tracking pushes applied (signed, via the view)", len(bodies), send_all)
    rate("duplicate pushes recognised", len(bodies), send_all)
    outcomes = dict.fromkeys(CourierCallback.Outcome.values, 0)
    for outcome in CourierCallback.objects.values_list("outcome", flat=True):
        outcomes[outcome] += 1
    print(f"{'callbacks by outcome':<48} {outcomes}")


def lists(count: int, requests: int) -> None:
    from django.test import Client

    from tongban.cases.tests.factories import clerk_of
    from tongban.identity.tests.helpers import verified_login
    from tongban.logistics.tests.factories import posted_case

    case = posted_case()
    waybills_of(case, count, "LB")
    client = Client()
    verified_login(client, clerk_of(case.item))
    for label, path in (
        ("GET /api/v1/logistics/waybills (20 of", "/api/v1/logistics/waybills"),
        ("GET /logistics/desk/ (20 of", "/logistics/desk/"),
    ):
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            answer = client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, answer.status_code
        latencies(f"{label} {count})", samples)
        print(f"{'  requests per second (1 client)':<48} {1000 / (sum(samples) / requests):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--waybills", type=int, default=300)
    parser.add_argument("--list", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with throwaway_database():
        from django.test import override_settings

        with override_settings(TASKS=DUMMY):
            pushes(args.waybills)
            lists(args.list, args.requests)


if __name__ == "__main__":
    main()
