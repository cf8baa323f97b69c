"""Case numbers: county code + date + sequence, e.g. ``61012420261127000123``.

The sequence runs across days (it is not reset at midnight), so a number is unique because
its sequence part is, whatever the date: concurrent intake never needs a lock. The part is
zero-padded to six digits and simply grows a digit after 999,999 cases.

- PostgreSQL: ``nextval`` of the database sequence ``cases_case_number_seq`` (migration 0002).
  Never a counter row locked with ``select_for_update``: that serialises every intake in the
  county (DESIGN.md §5).
- SQLite: one writer at a time anyway; the next value is the id of a row inserted into an
  AUTOINCREMENT table (``CaseNumberSlot``), which never reuses ids, and older rows are
  removed in the same transaction so the table stays one row long.
"""

import datetime

from django.db import connection, transaction

from tongban.cases.models import CaseNumberSlot

COUNTY_CODE = "610124"
SEQUENCE = "cases_case_number_seq"
WIDTH = 6


def next_case_number(day: datetime.date) -> str:
    """A new, never-issued case number dated ``day``."""
    return f"{COUNTY_CODE}{day:%Y%m%d}{next_value():0{WIDTH}d}"


def next_value() -> int:
    if connection.vendor == "postgresql":
        return _from_sequence()
    return _from_autoincrement()


def _from_sequence() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nextval('{SEQUENCE}')")
        return cursor.fetchone()[0]


def _from_autoincrement() -> int:
    with transaction.atomic():
        slot = CaseNumberSlot.objects.create()
        CaseNumberSlot.objects.filter(pk__lt=slot.pk).delete()
    return slot.pk
