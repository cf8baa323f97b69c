"""Payments: signed notices applied per second (verify, lock, store the callback, mark the
order paid, complete the workflow's 缴费 step, the case history, audit and the payer's
notice), repeated notices per second, and the payer's order reads (page and API).

    .venv/bin/python -m bench.payments_bench [--cases 100]

A throwaway database; ``--cases`` cases of one fee-charging item brought to 缴费 through the
services; each order opened at the sandbox payment service (in process, over real HTTP on
loopback, notices held back); then the sandbox's signed notices are posted to
``/payments/notify/sandbox/`` through Django's test client (no HTTP: the server's share).
Prints figures, asserts nothing.
"""

import argparse
import logging
from urllib.parse import urlsplit

from bench.support import rate, throwaway_database

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def prepare(count: int):
    from django.conf import settings

    from tongban.cases.tests.factories import applicant_person
    from tongban.payments import services
    from tongban.payments.providers.sandbox import Sandbox
    from tongban.payments.tests.factories import case_at_payment, fee_item

    config = settings.PAYMENTS_PROVIDERS["sandbox"]
    sandbox = Sandbox(config["merchant_id"], config["app_secret"]).start()
    settings.PAYMENTS_PROVIDERS = {
        **settings.PAYMENTS_PROVIDERS,
        "sandbox": {**config, "url": sandbox.url},
    }
    settings.PAYMENTS_PROVIDER = "sandbox"
    settings.PAYMENTS_PUBLIC_URL = "http://testserver"
    sandbox.drop_notices()
    item, person = fee_item(), applicant_person()
    orders = []

    def open_all():
        for _ in range(count):
            case, _clerk = case_at_payment(item=item, applicant=person)
            orders.append(services.start_payment(services.order_for(case), by=person))

    rate("cases brought to 缴费 and opened at the channel", count, open_all)
    return sandbox, person, orders


def post_all(client, sandbox, bodies) -> list[int]:
    answers = []
    for body in bodies:
        headers, raw = sandbox.signed("http://testserver/payments/notify/sandbox/", body)
        sent = {k: v for k, v in headers.items() if k != "Content-Type"}
        response = client.post(
            urlsplit("/payments/notify/sandbox/").path,
            data=raw,
            content_type="application/json",
            headers=sent,
        )
        answers.append(response.status_code)
    return answers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100)
    args = parser.parse_args()
    logging.getLogger("tongban.payments").setLevel(logging.WARNING)
    with throwaway_database():
        from django.test import Client, override_settings

        with override_settings(TASKS=DUMMY):
            sandbox, person, orders = prepare(args.cases)
            for order in orders:  # paid at the channel; the notices held back
                sandbox.pay(order.number)
            bodies = list(sandbox.notices)
            client = Client()
            rate(
                "paid notices applied (incl. workflow step)",
                len(bodies),
                lambda: post_all(client, sandbox, bodies),
            )
            rate(
                "repeated notices (duplicates, unchanged)",
                len(bodies),
                lambda: post_all(client, sandbox, bodies),
            )
            client.force_login(person)
            numbers = [o.number for o in orders]
            rate(
                "order page reads (payer)",
                len(numbers),
                lambda: [client.get(f"/payments/{n}/") for n in numbers],
            )
            rate(
                "API order reads (payer)",
                len(numbers),
                lambda: [client.get(f"/api/v1/payments/orders/{n}") for n in numbers],
            )
            rate(
                "API order list pages (20 a page)",
                50,
                lambda: [client.get("/api/v1/payments/orders") for _ in range(50)],
            )
            sandbox.stop()


if __name__ == "__main__":
    main()
