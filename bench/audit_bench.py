"""How fast audit records are appended and verified, on a throwaway test database.

    .venv/bin/python -m bench.audit_bench [--records 5000] [--objects 1000]

SQLite by default (an in-memory test database); set DATABASE_URL to a PostgreSQL server to
measure there. Prints figures, asserts nothing.
"""

import argparse

from bench.support import rate, throwaway_database


def append(count: int, objects: int) -> None:
    """Each record in its own transaction, as a request would write it."""
    from tongban.audit import services

    for number in range(count):
        services.record(
            "bench",
            "bench.thing.update",
            object_type="bench.thing",
            object_id=str(number % objects),
            object_repr=f"基准对象 {number % objects}",
            changes={"status": ["submitted", "accepted"], "note": [None, "受理"]},
        )


def verify() -> None:
    from tongban.audit import services

    result = services.verify()
    if not result.ok:
        print(f"verify found breaks (a bug): {result.breaks[:3]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="audit append and verify rates")
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--objects", type=int, default=1000, help="distinct objects recorded")
    options = parser.parse_args(argv)

    with throwaway_database():
        from django.conf import settings
        from django.db import connection

        print(
            f"audit on {connection.vendor}, {settings.AUDIT_HASH_ALGORITHM}, "
            f"{settings.AUDIT_CHAIN_PARTITIONS} partitions"
        )
        rate(
            "audit append (record(), one transaction each)",
            options.records,
            lambda: append(options.records, options.objects),
        )
        rate("audit verify (every chain re-hashed)", options.records, verify)
        settings.AUDIT_HASH_ALGORITHM = "sha256"
        rate(
            "audit append with sha256",
            options.records,
            lambda: append(options.records, options.objects),
        )


if __name__ == "__main__":
    main()
