"""The PostgreSQL sequence case numbers are drawn from (``numbers.next_case_number``).

SQLite has no sequences: there the numbers come from ``CaseNumberSlot`` (AUTOINCREMENT).
"""

from django.db import migrations

SEQUENCE = "cases_case_number_seq"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} START 1")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
