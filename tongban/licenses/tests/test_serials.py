"""Serials: one sequence per issuing department and year, never a number twice."""

import threading

import pytest
from django.db import connection

from tongban.licenses import issuance
from tongban.org.tests.factories import DepartmentFactory


@pytest.mark.django_db
def test_serials_run_per_department_and_year(travel):
    first, second = DepartmentFactory(), DepartmentFactory()
    travel(2026, 12, 31)
    assert [issuance.next_serial(first) for _ in range(2)] == ["2026000001", "2026000002"]
    assert issuance.next_serial(second) == "2026000001"
    travel(2027, 1, 1)
    assert issuance.next_serial(first) == "2027000001"


# Skipped before the database is set up on SQLite; on PostgreSQL the migrated rows the
# flush after a transactional test removes are put back (serialized_rollback).
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serves one writer at a time: only meaningful on PostgreSQL",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_issuers_never_get_the_same_serial():
    department = DepartmentFactory()
    start = threading.Barrier(6)
    found: list[str] = []
    errors: list[BaseException] = []

    def take_ten():
        try:
            start.wait(timeout=30)
            found.extend(issuance.next_serial(department) for _ in range(10))
        except BaseException as error:  # reported to the test thread below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take_ten) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(found) == 60 and len(set(found)) == 60
