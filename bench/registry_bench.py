"""Personal data protection and the registries, on a throwaway test database.

    .venv/bin/python -m bench.registry_bench [--values 20000] [--lookups 2000]

Encrypt and decrypt rates (SM4-GCM and AES-256-GCM), blind-index computation, exact look-ups
by ID number over the 5,000-person demo (p50/p95/p99), and the demo load time. Prints
figures, asserts nothing.
"""

import argparse
import random
import time

from bench.support import latencies, rate, throwaway_database

ID_NUMBER = "610124199001011234"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--values", type=int, default=20_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    args = parser.parse_args()
    with throwaway_database():
        from django.conf import settings

        from tongban.core.pii import blind_index, crypto
        from tongban.registry import demo, services
        from tongban.registry.models import Person

        for algorithm in ("sm4", "aes"):
            settings.PII_ALGORITHM = algorithm
            tokens = [crypto.encrypt(ID_NUMBER) for _ in range(args.values)]
            rate(
                f"encrypt ({algorithm}-gcm)",
                args.values,
                lambda: [crypto.encrypt(ID_NUMBER) for _ in range(args.values)],
            )
            rate(
                f"decrypt ({algorithm}-gcm)",
                args.values,
                lambda tokens=tokens: [crypto.decrypt(t) for t in tokens],
            )
        settings.PII_ALGORITHM = "sm4"
        rate(
            "blind index (hmac-sm3)",
            args.values,
            lambda: [blind_index(ID_NUMBER, "id_number") for _ in range(args.values)],
        )

        started = time.perf_counter()
        summary = demo.load()
        label = f"demo load ({summary.persons} persons, {summary.entities} entities)"
        print(f"{label:<48} {time.perf_counter() - started:7.3f} s")

        numbers = [p.id_number for p in Person.objects.all()]
        rng = random.Random(1)
        samples = []
        for _ in range(args.lookups):
            number = rng.choice(numbers)
            started = time.perf_counter()
            services.find_person(number)
            samples.append((time.perf_counter() - started) * 1000)
        latencies(f"find_person by ID number ({len(numbers)} persons)", samples)
        samples = []
        for _ in range(args.lookups // 2):
            number = rng.choice(numbers)
            started = time.perf_counter()
            services.verify_person("王小明", number)
            samples.append((time.perf_counter() - started) * 1000)
        latencies("verify_person", samples)


if __name__ == "__main__":
    main()
