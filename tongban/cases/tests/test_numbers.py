"""Case numbers: readable, unique, and safe when many clerks file at once."""

import datetime
import importlib
import re
import threading

import pytest
from django.apps import apps
from django.db import connection

from tongban.cases import numbers
from tongban.cases.models import Case, CaseNumberSlot
from tongban.cases.tests.factories import applicant_person, file_case, form_item

pytestmark = pytest.mark.django_db


def test_a_number_is_county_code_date_and_sequence():
    number = numbers.next_case_number(datetime.date(2026, 11, 27))

    assert re.fullmatch(r"61012420261127\d{6}", number)


def test_numbers_never_repeat_and_grow():
    drawn = [numbers.next_value() for _ in range(50)]

    assert drawn == sorted(drawn) and len(set(drawn)) == 50


def test_the_sequence_part_grows_past_six_digits_rather_than_wrapping(monkeypatch):
    monkeypatch.setattr(numbers, "next_value", lambda: 1_234_567)
    assert numbers.next_case_number(datetime.date(2026, 1, 2)) == "610124202601021234567"


def test_sqlite_draws_from_an_autoincrement_table_that_stays_one_row():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite branch")
    first, second = numbers.next_value(), numbers.next_value()

    assert second == first + 1
    assert list(CaseNumberSlot.objects.values_list("pk", flat=True)) == [second]


def test_postgresql_draws_from_the_sequence():
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL branch")
    first = numbers.next_value()
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM cases_case_number_seq")
        assert cursor.fetchone()[0] == first
    assert not CaseNumberSlot.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_filing_never_duplicates_a_number():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serves one writer at a time (IMMEDIATE transactions); "
            "concurrent intake is only meaningful on PostgreSQL"
        )
    _status_template()  # a flush by an earlier transactional test removes migrated rows
    item = form_item()
    applicants = [applicant_person() for _ in range(6)]
    start = threading.Barrier(len(applicants))
    errors: list[BaseException] = []

    def file_five(applicant):
        try:
            start.wait(timeout=30)
            for _ in range(5):
                file_case(item, applicant)
        except BaseException as exc:  # reported to the test thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=file_five, args=(a,)) for a in applicants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    numbers_filed = list(Case.objects.values_list("number", flat=True))
    assert len(numbers_filed) == 30 and len(set(numbers_filed)) == 30


def _status_template():
    migration = importlib.import_module("tongban.cases.migrations.0003_status_template")
    migration.add(apps, None)
