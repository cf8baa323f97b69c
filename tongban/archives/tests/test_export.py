"""Export for the archives bureau: packages as stored, and an index of them."""

import csv
import hashlib
import io
import zipfile

import pytest
from django.core.management import call_command

from tongban.archives import services
from tongban.archives.tests.factories import concluded_case
from tongban.audit.models import AuditRecord
from tongban.core import clock

pytestmark = pytest.mark.django_db


def read_export(data: bytes) -> tuple[dict, list[list[str]]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    files = {name: archive.read(name) for name in archive.namelist()}
    rows = list(csv.reader(io.StringIO(files.pop("index.csv").decode("utf-8-sig"))))
    return files, rows


def test_the_command_exports_packages_since_a_day_with_their_index(case, tmp_path):
    package = services.build_package(case)
    call_command("archives_export", "--since", clock.today().isoformat(), "--to", str(tmp_path))
    [written] = list(tmp_path.glob("archives-*.zip"))
    files, rows = read_export(written.read_bytes())
    stored = package.package.open("rb").read()
    assert files[f"packages/{package.number}.zip"] == stored
    header, row = rows
    assert header[:3] == ["档号", "办件编号", "事项"]
    assert row[0] == package.number and row[1] == case.number
    assert hashlib.sha256(stored).hexdigest() in row
    assert package.sm3 in row and "永久" in row
    assert AuditRecord.objects.filter(action="archives.export").exists()


def test_packages_before_the_day_are_left_out(case, tmp_path):
    services.build_package(case)
    later = clock.today().replace(year=clock.today().year + 1)
    call_command("archives_export", "--since", later.isoformat(), "--to", str(tmp_path))
    [written] = list(tmp_path.glob("archives-*.zip"))
    files, rows = read_export(written.read_bytes())
    assert files == {} and len(rows) == 1


def test_another_case_is_exported_alongside(case, tmp_path):
    numbers = {services.build_package(case).number, services.build_package(concluded_case()).number}
    call_command("archives_export", "--since", clock.today().isoformat(), "--to", str(tmp_path))
    [written] = list(tmp_path.glob("archives-*.zip"))
    _files, rows = read_export(written.read_bytes())
    assert {row[0] for row in rows[1:]} == numbers
