"""What the gateway costs: signed-request verification per second, and the overhead of a
signed call over a public one, on a throwaway test database.

    .venv/bin/python -m bench.gateway_bench [--requests 2000]

Through the test client (no network): the figures are Django, django-ninja, the gateway
(signature, nonce, rate counter, call-log row) and the database. Prints figures, asserts
nothing.
"""

import argparse
import time

from bench.support import latencies, rate, throwaway_database

PING = "/api/v1/gateway/ping"
PUBLIC = "/api/v1/org/departments"


def timed(call, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        response = call()
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content
    return samples


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args(argv)

    with throwaway_database():
        from django.core.cache import cache
        from django.test import Client, RequestFactory

        from tongban.gateway import services
        from tongban.gateway.auth import authenticate
        from tongban.gateway.client import sign
        from tongban.org.models import Department
        from tongban.org.validators import make_uscc

        Department.objects.create(
            name="基准局",
            short_name="基准局",
            uscc=make_uscc("1", "1", "610124", "GW000001"),
            code="bench",
        )
        client = services.create_client(
            "bench", name="基准接入系统", scopes=["gateway:ping"], rate_limit=10**9
        )
        issued = services.issue_key("bench", client)
        key_id, secret = issued.key.key_id, issued.secret
        factory, http = RequestFactory(), Client()
        cache.clear()

        requests = [
            factory.get(PING, headers=sign("GET", PING, key_id=key_id, secret=secret))
            for _ in range(args.requests)
        ]
        rate(
            "signed requests verified",
            len(requests),
            lambda: [authenticate(request) for request in requests],
        )

        def signed():
            return http.get(PING, headers=sign("GET", PING, key_id=key_id, secret=secret))

        def public():
            return http.get(PUBLIC)

        timed(signed, 50)
        timed(public, 50)
        public_ms = timed(public, args.requests)
        signed_ms = timed(signed, args.requests)
        latencies(f"public {PUBLIC} (test client)", public_ms)
        latencies(f"signed {PING} (test client)", signed_ms)
        public_ms.sort()
        signed_ms.sort()
        half = args.requests // 2
        print(f"{'overhead of a signed call, p50':<48} {signed_ms[half] - public_ms[half]:7.2f} ms")


if __name__ == "__main__":
    main()
